#include "history.h"

#include "schema.h"

#include <QDir>
#include <QFileInfo>
#include <QSqlDriver>
#include <QSqlError>
#include <QSqlRecord>
#include <QTimer>
#include <QUuid>
#include <QVariant>

#include <sqlite3.h>

namespace {

// How soon after a commit a worker copies the write-ahead log into the database, keeping the log short without
// stalling the event loop on the checkpoint's fsyncs.
constexpr int SyncDelayMs = 1000;
// Remotes whose highest incoming packet number is kept in memory (a cache: forgetting costs one query).
constexpr qsizetype MaxRemembered = 4096;

using schema::sql;
using schema::Unread, schema::WantsReadReceipt, schema::System, schema::Fragmented, schema::AutoReply, schema::Sealed;

// A message row with its conversation's key, as read() expects it.
const QString Select =
    QStringLiteral("SELECT m.id, c.peer, m.direction, m.text, m.time, m.sort_key, m.state, m.remote, "
                   "m.packet_no, m.parts, m.flags FROM messages m JOIN conversations c ON "
                   "c.id = m.conversation ");

bool isDamage(int code)
{
    return (code & 0xff) == SQLITE_CORRUPT || (code & 0xff) == SQLITE_NOTADB;
}

} // namespace

// A statement prepared on SQLite's own handle, for the writes made once per message: QtSql's bindValue() builds a
// placeholder name per value, which cost more than SQLite's own work (46 % of an insert).
class History::Statement {
public:
    Statement(sqlite3* db, const QString& sql)
        : m_db(db)
    {
        if (sqlite3_prepare_v3(db, sql.toUtf8().constData(), -1, SQLITE_PREPARE_PERSISTENT, &m_statement, nullptr) !=
            SQLITE_OK)
            m_statement = nullptr;
    }
    ~Statement() { sqlite3_finalize(m_statement); }
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;

    sqlite3* db() const { return m_db; }
    // As UTF-8, which the database stores: Qt converts several times faster than SQLite's own UTF-16 translation
    // (3.4 % of a 1 000-byte message's cost). The bytes are kept until step().
    void bind(int i, const QString& text)
    {
        const QByteArray& utf8 = m_texts.emplace_back(text.toUtf8());
        sqlite3_bind_text(m_statement, i, utf8.isNull() ? "" : utf8.constData(), int(utf8.size()), SQLITE_STATIC);
    }
    void bind(int i, qint64 value) { sqlite3_bind_int64(m_statement, i, value); }
    void bind(int i, double value) { sqlite3_bind_double(m_statement, i, value); }
    // Runs the statement to its end and makes it ready for the next use; false (with SQLite's reason and extended
    // result code) on an error.
    bool step(QString* error, int* code)
    {
        if (!m_statement) {
            m_texts.clear();
            *code = sqlite3_extended_errcode(m_db);
            *error = QString::fromUtf8(sqlite3_errmsg(m_db));
            return false;
        }
        const int rc = sqlite3_step(m_statement);
        sqlite3_reset(m_statement);
        m_texts.clear();
        if (rc == SQLITE_DONE || rc == SQLITE_ROW)
            return true;
        *code = rc;
        *error = QString::fromUtf8(sqlite3_errstr(rc)) + u": " + QString::fromUtf8(sqlite3_errmsg(m_db));
        return false;
    }

private:
    sqlite3* m_db;
    sqlite3_stmt* m_statement = nullptr;
    std::vector<QByteArray> m_texts;
};

QString stateName(MessageState state)
{
    switch (state) {
    case MessageState::Queued: return QStringLiteral("queued");
    case MessageState::Sending: return QStringLiteral("sending");
    case MessageState::Sent: return QStringLiteral("sent");
    case MessageState::Delivered: return QStringLiteral("delivered");
    case MessageState::Read: return QStringLiteral("read");
    case MessageState::Failed: return QStringLiteral("failed");
    case MessageState::Received: return QStringLiteral("received");
    }
    return {};
}

History::History(QObject* parent)
    : QObject(parent)
    , m_connection(QStringLiteral("pigeon-history-") + QUuid::createUuid().toString(QUuid::WithoutBraces))
{
    m_syncTimer.setSingleShot(true);
    m_syncTimer.setInterval(SyncDelayMs);
    connect(&m_syncTimer, &QTimer::timeout, this, &History::sync);
    m_indexTimer.setSingleShot(true);
    connect(&m_indexTimer, &QTimer::timeout, this, [this] { indexPending(IndexBatch); });
    m_checkpointer.setMaxThreadCount(1);
}

History::~History()
{
    m_checkpointer.waitForDone();
    if (m_db.isOpen())
        commit();
    m_queries.clear();
    m_append.reset();
    m_setState.reset();
    m_newConversation.reset();
    m_summary.reset();
    m_indexProgress.reset();
    m_begin.reset();
    m_commit.reset();
    m_db.close();
    m_db = {};
    QSqlDatabase::removeDatabase(m_connection);
}

bool History::open(const QString& path, Access access)
{
    m_path = path;
    m_readOnly = access == Access::ReadOnly;
    if (m_readOnly && !QFileInfo(path).isFile()) {
        m_error = tr("there is no history database %1").arg(path);
        return false;
    }
    if (!m_readOnly)
        QDir().mkpath(QFileInfo(path).absolutePath());
    m_db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_connection);
    m_db.setDatabaseName(path);
    if (m_readOnly)
        m_db.setConnectOptions(QStringLiteral("QSQLITE_OPEN_READONLY"));
    if (!m_db.open()) {
        m_error = tr("cannot open the history database %1: %2").arg(path, m_db.lastError().text());
        return false;
    }
    if (prepareSchema(access))
        return true;
    m_queries.clear();
    m_db.close();
    return false;
}

bool History::prepareSchema(Access access)
{
    const QString doctor = tr("; `pigeon doctor` checks it");
    QSqlQuery q(m_db);
    // Before anything is written (WAL mode changes the header). Reading the version reads the file's first page, and
    // the schema: a file that is no database, or is cut short, is refused here. The rest of the file is read only as it
    // is needed (check() reads all of it).
    if (!q.exec(QStringLiteral("PRAGMA user_version")) || !q.next()) {
        m_error = tr("the history database %1 cannot be used: %2").arg(m_path, q.lastError().text()) + doctor;
        return false;
    }
    const int version = q.value(0).toInt();
    q.finish();
    if (version > schema::Version) {
        m_error = tr("the history database %1 was written by a newer Pigeon (schema version %2; this one reads up to "
                     "%3); it was left as it is")
                      .arg(m_path)
                      .arg(version)
                      .arg(schema::Version);
        return false;
    }
    // FULL in WAL mode: a commit is on the disk when it returns. The engine acknowledges a message only after its
    // commit, and an acknowledged message must survive a power cut, not just a crash of the process. The price is
    // one fsync per batch (4 ms on the benchmark machine; see README, Performance): NORMAL was 2x the throughput and
    // 50x less latency there, but could lose up to the last second of acknowledged messages.
    const char* const pragmas[] = {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL", "PRAGMA foreign_keys=ON",
                                   "PRAGMA busy_timeout=2000"};
    for (const char* pragma : pragmas) {
        // A reader leaves the file's journal mode alone: the Pigeon that writes it set WAL.
        if (access == Access::ReadOnly && std::string_view(pragma) != "PRAGMA busy_timeout=2000")
            continue;
        if (!q.exec(QString::fromLatin1(pragma))) {
            m_error = tr("the history database %1 cannot be used: %2").arg(m_path, q.lastError().text()) + doctor;
            return false;
        }
    }
    // The worker's checkpoints copy the log; this is the backstop, and how long the log grows before it starts again
    // from its beginning (preallocateLog()).
    if (access == Access::ReadWrite)
        sqlite3_wal_autocheckpoint(handle(), LogFrames);
    if (version < schema::Version) {
        if (access == Access::ReadOnly) {
            m_error = tr("the history database %1 is from an older Pigeon (schema version %2): start Pigeon once on "
                         "this profile to upgrade it")
                          .arg(m_path)
                          .arg(version);
            return false;
        }
        QString why;
        const QString backup = m_path + QStringLiteral(".v%1.bak").arg(version);
        if (!schema::upgrade(handle(), version, backup, m_progress, &why)) {
            m_error = tr("the history database %1 was left as it is: %2").arg(m_path, why) + doctor;
            return false;
        }
    }
    // The newest sort key from the conversations' summary rows (one per conversation, not per message): new rows
    // sort after it. An index on newest_key would cost every append an index update (measured: 20 % of its CPU).
    if (!q.exec(QStringLiteral("SELECT MAX(newest_key) FROM conversations"))) {
        m_error = tr("the history database %1 cannot be used: %2").arg(m_path, q.lastError().text()) + doctor;
        return false;
    }
    if (q.next())
        m_lastSortKey = q.value(0).toDouble();
    q.finish();
    if (!q.exec(QStringLiteral("SELECT indexed FROM search_progress")) || !q.next()) {
        m_error = tr("the history database %1 cannot be used: %2").arg(m_path, q.lastError().text()) + doctor;
        return false;
    }
    m_indexed = q.value(0).toLongLong();
    q.finish();
    if (QString why; access == Access::ReadWrite && !search::addFunctions(handle(), &why)) {
        m_error = tr("the history database %1 cannot be used: %2").arg(m_path, why);
        return false;
    }
    // After the reads above: SQLite opens the log with the first transaction in WAL mode.
    if (access == Access::ReadWrite)
        preallocateLog();
    // Messages committed before a crash but not indexed yet. A failure (a full disk) does not keep the messages from
    // being read and written: error() and failed() say why, and the next batch tries again.
    if (access == Access::ReadWrite)
        indexPending();
    return true;
}

void History::preallocateLog()
{
    // A commit that makes the log longer costs its fdatasync a write of the file's size too: measured on the
    // benchmark machine, 4 frames and fdatasync 210 us into a growing file against 140 us into blocks already written.
    // SQLite grows its files in chunks by writing a byte into each new block (not fallocate, whose unwritten extents
    // would need the same metadata write), so after this the log's frames overwrite blocks it has. The log starts again
    // from its beginning after a checkpoint at LogFrames, so it stays within them. Only a hint: on failure the log
    // grows as it did.
    sqlite3_file* log = nullptr;
    if (sqlite3_file_control(handle(), "main", SQLITE_FCNTL_JOURNAL_POINTER, &log) != SQLITE_OK || !log ||
        !log->pMethods)
        return;
    int chunk = 1 << 20;
    sqlite3_int64 size = 32 + sqlite3_int64(LogFrames + 100) * (24 + 4096); // header, frames of a 4 KiB page
    log->pMethods->xFileControl(log, SQLITE_FCNTL_CHUNK_SIZE, &chunk);
    log->pMethods->xFileControl(log, SQLITE_FCNTL_SIZE_HINT, &size);
}

sqlite3* History::handle() const
{
    const QVariant handle = m_db.driver()->handle();
    return *static_cast<sqlite3* const*>(handle.constData());
}

QSqlQuery& History::prepared(const char* key, const QString& sql)
{
    auto& slot = m_queries[key];
    if (!slot) {
        slot = std::make_unique<QSqlQuery>(m_db);
        slot->setForwardOnly(true);
        slot->prepare(sql);
    }
    return *slot;
}

History::Statement& History::statement(std::unique_ptr<Statement>& slot, const QString& sql)
{
    if (!slot)
        slot = std::make_unique<Statement>(handle(), sql);
    return *slot;
}

void History::fail(const QString& why, int code)
{
    // Rows written in this transaction may be rolled back with it: their conversations may be gone.
    m_conversationIds.clear();
    if (isDamage(code)) {
        m_damaged = true;
        m_error = tr("the history database %1 is damaged (%2); nothing more is written to it; `pigeon doctor` "
                     "checks it")
                      .arg(m_path, why);
    } else {
        m_error = tr("the history database %1 failed: %2").arg(m_path, why);
    }
    Q_EMIT failed(m_error);
}

bool History::run(Statement& statement)
{
    QString why;
    int code = 0;
    if (statement.step(&why, &code))
        return true;
    fail(why, code);
    return false;
}

QVariant History::value(const char* key, const QString& sql, std::initializer_list<QVariant> values)
{
    QSqlQuery& q = prepared(key, sql);
    int i = 0;
    for (const QVariant& v : values)
        q.bindValue(i++, v);
    QVariant result;
    if (exec(q) && q.next())
        result = q.value(0);
    q.finish();
    return result;
}

bool History::exec(QSqlQuery& query)
{
    if (query.exec())
        return true;
    fail(query.lastError().text(), query.lastError().nativeErrorCode().toInt());
    return false;
}

void History::finished(const QSqlQuery& query)
{
    // QSqlQuery::next() says false for the end of the rows and for an error alike (a damaged page met mid-way).
    if (query.lastError().isValid())
        fail(query.lastError().text(), query.lastError().nativeErrorCode().toInt());
}

bool History::begin()
{
    if (m_inTransaction)
        return true;
    if (!m_db.isOpen())
        return false;
    if (m_damaged || m_readOnly) {
        m_error = m_damaged ? m_error : tr("the history database %1 is open read-only").arg(m_path);
        return false;
    }
    // BEGIN and COMMIT run once per batch: prepared once on SQLite's handle rather than by QtSql each time.
    if (!run(statement(m_begin, QStringLiteral("BEGIN"))))
        return false;
    m_inTransaction = true;
    if (!m_commitScheduled) {
        m_commitScheduled = true;
        QTimer::singleShot(0, this, [this] {
            m_commitScheduled = false;
            commitRows();
        });
    }
    return true;
}

bool History::flushSummaries()
{
    // A statement that failed may have rolled the whole transaction back (SQLITE_FULL, SQLITE_IOERR): then its
    // changes are gone and so are the summaries' (the COMMIT that follows fails and says so).
    if (sqlite3_get_autocommit(handle()))
        m_summaries.clear();
    // Every SET below sees the row as it was, so the three last_* columns take the same decision. A row is the newest
    // chat message of its conversation when it sorts after the one the summary names.
    Statement& q =
        statement(m_summary, QStringLiteral("UPDATE conversations SET newest_key = MAX(newest_key, ?1), "
                                            "unread = unread + ?2, "
                                            "last_id = iif(?3 <> 0 AND (last_id IS NULL OR (?4, ?5) >= (last_key, "
                                            "last_packet_no)), ?3, last_id), "
                                            "last_key = iif(?3 <> 0 AND (last_id IS NULL OR (?4, ?5) >= (last_key, "
                                            "last_packet_no)), ?4, last_key), "
                                            "last_packet_no = iif(?3 <> 0 AND (last_id IS NULL OR (?4, ?5) >= "
                                            "(last_key, last_packet_no)), ?5, last_packet_no) WHERE id = ?6"));
    for (auto it = m_summaries.cbegin(); it != m_summaries.cend(); ++it) {
        q.bind(1, it->newestKey);
        q.bind(2, qint64(it->unread));
        q.bind(3, it->lastId);
        q.bind(4, it->lastKey);
        q.bind(5, qint64(it->lastPacketNo));
        q.bind(6, it.key());
        if (!run(q))
            return false;
    }
    m_summaries.clear();
    return true;
}

bool History::commit()
{
    return commitRows() && indexPending();
}

bool History::commitRows()
{
    if (!m_inTransaction)
        return true;
    for (auto& [key, query] : m_queries)
        query->finish();
    QString why;
    int code = 0;
    if (!flushSummaries()) {
        // Messages without their summary must not be committed: the whole batch goes.
        m_inTransaction = false;
        m_summaries.clear();
        m_db.rollback();
        Q_EMIT failed(m_error);
        return false;
    }
    m_inTransaction = false;
    if (!statement(m_commit, QStringLiteral("COMMIT")).step(&why, &code)) {
        m_summaries.clear();
        m_conversationIds.clear();
        m_error = tr("the history database %1 could not save: %2").arg(m_path, why);
        m_db.rollback();
        if (isDamage(code))
            m_damaged = true;
        Q_EMIT failed(m_error);
        return false;
    }
    if (!m_syncTimer.isActive())
        m_syncTimer.start();
    Q_EMIT committed();
    return true;
}

void History::sync()
{
    // On a connection of its own in a worker thread: its fsyncs (three of 4 ms here) would stall the event loop, and
    // it copies only committed frames, so the open batch goes on meanwhile. One at a time; a busy worker means one is
    // under way, and the next commit starts the timer again.
    if (!m_db.isOpen())
        return;
    m_checkpointer.tryStart([path = m_path.toUtf8()] {
        sqlite3* db = nullptr;
        // A read first: on a connection that has not read the file yet, SQLite (3.40) has not opened the log, and a
        // checkpoint returns SQLITE_OK having done nothing (measured: the log grew to the 40 MB backstop, which then
        // ran on the event loop).
        if (sqlite3_open_v2(path.constData(), &db, SQLITE_OPEN_READWRITE, nullptr) == SQLITE_OK &&
            sqlite3_exec(db, "PRAGMA schema_version", nullptr, nullptr, nullptr) == SQLITE_OK) {
            // Busy: the engine's own connection is checkpointing (its backstop); that flushes too.
            const int rc = sqlite3_wal_checkpoint_v2(db, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
            if (rc != SQLITE_OK && rc != SQLITE_BUSY)
                qWarning("history: checkpoint of %s failed: %s", path.constData(), sqlite3_errmsg(db));
        }
        sqlite3_close(db);
    });
}

double History::nextSortKey(qint64 timeMs)
{
    m_lastSortKey = std::max(double(timeMs), m_lastSortKey + 0.001);
    return m_lastSortKey;
}

qint64 History::conversationId(const QString& peer, bool create)
{
    if (const auto it = m_conversationIds.constFind(peer); it != m_conversationIds.cend())
        return *it;
    qint64 id =
        value("conversationId", QStringLiteral("SELECT id FROM conversations WHERE peer = ?"), {peer}).toLongLong();
    if (!id && create) {
        Statement& q = statement(m_newConversation, QStringLiteral("INSERT INTO conversations (peer) VALUES (?)"));
        q.bind(1, peer);
        if (!run(q))
            return 0;
        id = sqlite3_last_insert_rowid(q.db());
    }
    if (id) {
        if (m_conversationIds.size() >= MaxRemembered)
            m_conversationIds.clear();
        m_conversationIds.insert(peer, id);
    }
    return id;
}

bool History::append(Message& m)
{
    if (!begin())
        return false;
    if (!m.time.isValid())
        m.time = QDateTime::currentDateTimeUtc();
    if (m.sortKey == 0)
        m.sortKey = nextSortKey(m.time.toMSecsSinceEpoch());
    const qint64 conversation = conversationId(m.peer, true);
    if (!conversation)
        return false;
    Statement& q =
        statement(m_append, QStringLiteral("INSERT INTO messages (conversation, direction, text, time, sort_key, "
                                           "state, remote, packet_no, parts, flags) VALUES (?,?,?,?,?,?,?,?,?,?)"));
    q.bind(1, conversation);
    q.bind(2, qint64(m.direction));
    q.bind(3, m.text);
    q.bind(4, m.time.toMSecsSinceEpoch());
    q.bind(5, m.sortKey);
    q.bind(6, qint64(m.state));
    q.bind(7, m.remote); // empty while a host name is not resolved
    q.bind(8, qint64(m.packetNo));
    q.bind(9, qint64(m.parts));
    q.bind(10,
           qint64((m.unread ? Unread : 0) | (m.wantsReadReceipt ? WantsReadReceipt : 0) | (m.isSystem ? System : 0) |
                  (m.fragmented ? Fragmented : 0) | (m.isAutoReply ? AutoReply : 0) | (m.sealed ? Sealed : 0)));
    if (!run(q))
        return false;
    m.id = sqlite3_last_insert_rowid(q.db());
    // The full-text indexes follow in a batch of their own (indexPending()): FTS5 writes a segment per transaction,
    // and the acknowledgement of this message need not wait for its index (measured: 40 % of an append's CPU).
    if (!m.isSystem && !m_indexTimer.isActive())
        m_indexTimer.start(IndexDelayMs);
    // The conversation's summary row is written once per transaction, before its COMMIT (flushSummaries()).
    const bool added = !m_summaries.contains(conversation);
    SummaryChange& change = m_summaries[conversation];
    change.newestKey = added ? m.sortKey : std::max(change.newestKey, m.sortKey);
    if (!m.isSystem) {
        change.unread += m.unread ? 1 : 0;
        if (!change.lastId || std::pair(m.sortKey, m.packetNo) >= std::pair(change.lastKey, change.lastPacketNo)) {
            change.lastId = m.id;
            change.lastKey = m.sortKey;
            change.lastPacketNo = m.packetNo;
        }
    }
    if (m.direction == Direction::Incoming)
        if (const auto it = m_maxIncoming.find(m.remote); it != m_maxIncoming.end())
            *it = std::max(*it, qint64(m.packetNo));
    return true;
}

bool History::indexPending(qint64 limit)
{
    m_indexTimer.stop();
    if (!m_db.isOpen() || m_readOnly || m_damaged)
        return true;
    // Rows of the open transaction first: whatever waits on their commit goes now, not after the index.
    if (!commitRows())
        return false;
    const qint64 last = value("lastId", QStringLiteral("SELECT IFNULL(MAX(id), 0) FROM messages"), {}).toLongLong();
    if (last <= m_indexed)
        return true;
    const qint64 upTo = limit < last - m_indexed ? m_indexed + limit : last;
    if (!begin())
        return false;
    QString why;
    if (!search::indexRange(handle(), m_indexed, upTo, &why)) {
        const int code = sqlite3_extended_errcode(handle());
        m_inTransaction = false;
        m_summaries.clear();
        m_db.rollback();
        fail(why, code);
        return false;
    }
    Statement& progress = statement(m_indexProgress, QStringLiteral("UPDATE search_progress SET indexed = ?"));
    progress.bind(1, upTo);
    if (!run(progress) || !commitRows())
        return false;
    m_indexed = upTo;
    if (upTo < last)
        m_indexTimer.start(0); // the rest after what waits in the event loop (datagrams to store and acknowledge)
    return true;
}

SearchPage History::search(const QString& text, const QString& peer, qint64 before, int limit)
{
    SearchPage page;
    // Everything stored is found (a reader sees what the writing Pigeon indexed, at most IndexDelayMs behind).
    if (!indexPending())
        return page;
    const search::Query query = search::parse(text);
    const qint64 conversation = peer.isEmpty() ? 0 : conversationId(peer, false);
    if (query.isEmpty() || limit <= 0 || (!peer.isEmpty() && !conversation))
        return page;
    // One index gives the matches newest first (FTS5 reads its doclists in descending rowid order and stops at the
    // limit); a query with words for both takes the other one's matches as a set.
    const QString trigrams = query.trigramMatch();
    const QString shortTerms = query.shortTermMatch();
    const QString driver = trigrams.isEmpty() ? u"message_shortterms"_qs : u"message_trigrams"_qs;
    QString sql = u"SELECT m.id, c.peer, m.direction, m.text, m.time, m.sort_key, m.state, m.remote, m.packet_no, "
                  "m.parts, m.flags FROM "_qs +
                  driver + u" JOIN messages m ON m.id = "_qs + driver +
                  u".rowid JOIN conversations c ON c.id = m.conversation WHERE "_qs + driver + u" MATCH ? AND "_qs +
                  driver + u".rowid < ?"_qs;
    if (!trigrams.isEmpty() && !shortTerms.isEmpty())
        sql += u" AND m.id IN (SELECT rowid FROM message_shortterms WHERE message_shortterms MATCH ?)"_qs;
    if (conversation)
        sql += u" AND m.conversation = ?"_qs;
    // A sealed message not opened yet is not found: a hit would tell what it says before its sender learns it was read.
    sql += schema::sql(" AND NOT (m.direction = %{Incoming} AND m.flags & %{Sealed} <> 0)");
    sql += u" ORDER BY "_qs + driver + u".rowid DESC LIMIT ?"_qs;
    QSqlQuery q(m_db);
    q.setForwardOnly(true);
    q.prepare(sql);
    q.addBindValue(trigrams.isEmpty() ? shortTerms : trigrams);
    q.addBindValue(before > 0 ? before : std::numeric_limits<qint64>::max());
    if (!trigrams.isEmpty() && !shortTerms.isEmpty())
        q.addBindValue(shortTerms);
    if (conversation)
        q.addBindValue(conversation);
    // One more than a page says whether there is a next one.
    q.addBindValue(limit + 1);
    if (!exec(q))
        return page;
    while (q.next()) {
        if (page.hits.size() == limit) {
            page.next = page.hits.last().message.id;
            break;
        }
        Message m = read(q);
        QList<search::Span> spans = search::spans(m.text, query);
        page.hits.append({std::move(m), std::move(spans)});
    }
    finished(q);
    return page;
}

bool History::setState(qint64 id, MessageState state)
{
    if (!begin())
        return false;
    Statement& q = statement(m_setState, QStringLiteral("UPDATE messages SET state = ? WHERE id = ?"));
    q.bind(1, qint64(state));
    q.bind(2, id);
    return run(q);
}

bool History::resend(qint64 id, quint64 packetNo, int parts)
{
    if (!begin())
        return false;
    QSqlQuery& q =
        prepared("resend", sql("UPDATE messages SET state = %{Sending}, packet_no = ?, parts = ? WHERE id = ?"));
    q.bindValue(0, qint64(packetNo));
    q.bindValue(1, parts);
    q.bindValue(2, id);
    return exec(q);
}

qint64 History::findOutgoing(const QString& remote, quint64 packetNo)
{
    return value("findOutgoing",
                 sql("SELECT id FROM messages WHERE direction = %{Outgoing} AND remote = ? AND packet_no = ? "
                     "ORDER BY id DESC LIMIT 1"),
                 {remote, qint64(packetNo)})
        .toLongLong();
}

quint64 History::lastPacketNo()
{
    // Through the partial index on outgoing rows (messages_outgoing_packets): a few pages at any size.
    return quint64(value("lastPacketNo",
                         sql("SELECT packet_no + parts - 1 FROM messages WHERE direction = %{Outgoing} "
                             "ORDER BY packet_no + parts - 1 DESC LIMIT 1"),
                         {})
                       .toLongLong());
}

qint64 History::maxIncomingPacketNo(const QString& remote)
{
    if (const auto it = m_maxIncoming.constFind(remote); it != m_maxIncoming.cend())
        return *it;
    QSqlQuery& q = prepared("maxIncoming",
                            sql("SELECT MAX(packet_no) FROM messages WHERE direction = %{Incoming} AND remote = ?"));
    q.bindValue(0, remote);
    qint64 max = std::numeric_limits<qint64>::min();
    if (!exec(q))
        return std::numeric_limits<qint64>::max(); // unknown: every number must be looked up
    if (q.next() && !q.value(0).isNull())
        max = q.value(0).toLongLong();
    q.finish();
    if (m_maxIncoming.size() >= MaxRemembered)
        m_maxIncoming.clear();
    m_maxIncoming.insert(remote, max);
    return max;
}

qint64 History::findIncoming(const QString& remote, quint64 packetNo, qint64 sinceMs)
{
    if (qint64(packetNo) > maxIncomingPacketNo(remote))
        return 0;
    return value("findIncoming",
                 sql("SELECT id FROM messages WHERE direction = %{Incoming} AND remote = ? AND packet_no = ? "
                     "AND time >= ? ORDER BY id DESC LIMIT 1"),
                 {remote, qint64(packetNo), sinceMs})
        .toLongLong();
}

double History::sortKeyBefore(const QString& remote, quint64 packetNo, qint64 sinceMs)
{
    if (qint64(packetNo) >= maxIncomingPacketNo(remote))
        return 0;
    return value("later",
                 sql("SELECT MIN(sort_key) FROM messages WHERE direction = %{Incoming} AND remote = ? "
                     "AND packet_no > ? AND time >= ?"),
                 {remote, qint64(packetNo), sinceMs})
        .toDouble();
}

Message History::read(const QSqlQuery& q) const
{
    Message m;
    m.id = q.value(0).toLongLong();
    m.peer = q.value(1).toString();
    m.direction = Direction(q.value(2).toInt());
    m.text = q.value(3).toString();
    m.time = QDateTime::fromMSecsSinceEpoch(q.value(4).toLongLong(), Qt::UTC);
    m.sortKey = q.value(5).toDouble();
    m.state = MessageState(q.value(6).toInt());
    m.remote = q.value(7).toString();
    m.packetNo = quint64(q.value(8).toLongLong());
    m.parts = q.value(9).toInt();
    const int flags = q.value(10).toInt();
    m.unread = flags & Unread;
    m.wantsReadReceipt = flags & WantsReadReceipt;
    m.isSystem = flags & System;
    m.fragmented = flags & Fragmented;
    m.isAutoReply = flags & AutoReply;
    m.sealed = flags & Sealed;
    return m;
}

std::optional<Message> History::message(qint64 id)
{
    QSqlQuery& q = prepared("message", Select + u"WHERE m.id = ?");
    q.bindValue(0, id);
    if (!exec(q) || !q.next())
        return std::nullopt;
    Message m = read(q);
    q.finish();
    return m;
}

QList<Message> History::conversation(const QString& peer, double beforeKey, int limit, quint64 beforePacketNo)
{
    QList<Message> out =
        page("conversation", peer, beforeKey, beforePacketNo, limit,
             u"(m.sort_key, m.packet_no) < (?, ?) ORDER BY m.sort_key DESC, m.packet_no DESC LIMIT ?"_qs);
    std::reverse(out.begin(), out.end());
    return out;
}

QList<Message> History::conversationAfter(const QString& peer, double afterKey, quint64 afterPacketNo, int limit)
{
    return page("conversationAfter", peer, afterKey, afterPacketNo, limit,
                u"(m.sort_key, m.packet_no) > (?, ?) ORDER BY m.sort_key, m.packet_no LIMIT ?"_qs);
}

QList<Message> History::page(const char* key, const QString& peer, double sortKey, quint64 packetNo, int limit,
                             const QString& where)
{
    const qint64 id = conversationId(peer, false);
    if (!id)
        return {};
    QSqlQuery& q = prepared(key, Select + u"WHERE m.conversation = ? AND " + where);
    q.bindValue(0, id);
    q.bindValue(1, sortKey);
    q.bindValue(2, qint64(std::min<quint64>(packetNo, std::numeric_limits<qint64>::max())));
    q.bindValue(3, limit);
    return readAll(q);
}

QList<Message> History::incoming(qint64 afterId, qint64 upToId, int limit)
{
    QSqlQuery& q = prepared("incoming", Select + sql("WHERE m.id > ? AND m.id <= ? AND m.direction = %{Incoming} "
                                                     "ORDER BY m.id LIMIT ?"));
    q.bindValue(0, afterId);
    q.bindValue(1, upToId);
    q.bindValue(2, limit);
    return readAll(q);
}

QList<Message> History::sealedWaiting(int limit)
{
    QSqlQuery& q = prepared("sealedWaiting", Select + sql("WHERE m.direction = %{Incoming} AND m.flags & %{Sealed} "
                                                          "ORDER BY m.id LIMIT ?"));
    q.bindValue(0, limit);
    return readAll(q);
}

QList<Message> History::readAll(QSqlQuery& q)
{
    QList<Message> out;
    if (!exec(q))
        return out;
    while (q.next())
        out.append(read(q));
    finished(q);
    q.finish();
    return out;
}

qint64 History::conversationSize(const QString& peer)
{
    const qint64 id = conversationId(peer, false);
    return id ? value("size", QStringLiteral("SELECT COUNT(*) FROM messages WHERE conversation = ?"), {id}).toLongLong()
              : 0;
}

QList<ConversationSummary> History::conversations()
{
    if (m_inTransaction && !flushSummaries())
        return {};
    // One row per conversation from its summary, newest first: nothing here reads the messages of a conversation
    // but its newest.
    QSqlQuery q(m_db);
    QList<ConversationSummary> out;
    if (!q.exec(QStringLiteral("SELECT c.peer, m.text, m.time, c.unread FROM conversations c JOIN messages m "
                               "ON m.id = c.last_id ORDER BY c.last_key DESC, c.last_packet_no DESC"))) {
        fail(q.lastError().text(), q.lastError().nativeErrorCode().toInt());
        return out;
    }
    while (q.next())
        out.append({q.value(0).toString(), q.value(1).toString(),
                    QDateTime::fromMSecsSinceEpoch(q.value(2).toLongLong(), Qt::UTC), q.value(3).toInt()});
    finished(q);
    return out;
}

QList<Message> History::unsent()
{
    QSqlQuery q(m_db);
    QList<Message> out;
    if (!q.exec(Select + sql("WHERE m.state IN (%{Queued}, %{Sending}) ORDER BY m.id"))) {
        fail(q.lastError().text(), q.lastError().nativeErrorCode().toInt());
        return out;
    }
    while (q.next())
        out.append(read(q));
    finished(q);
    return out;
}

qint64 History::queuedCount(const QString& peer)
{
    const qint64 id = conversationId(peer, false);
    // The first term lets SQLite use the small messages_unsent index.
    return id ? value("queued",
                      sql("SELECT COUNT(*) FROM messages WHERE state IN (%{Queued}, %{Sending}) "
                          "AND state = %{Queued} AND conversation = ?"),
                      {id})
                    .toLongLong()
              : 0;
}

qint64 History::failureHoldingQueue(const QString& peer)
{
    const qint64 conversation = conversationId(peer, false);
    if (!conversation)
        return 0;
    QSqlQuery& q = prepared("failureHoldingQueue",
                            sql("SELECT id, state FROM messages WHERE conversation = ? AND direction = %{Outgoing} "
                                "AND flags & %{System} = 0 ORDER BY sort_key DESC, packet_no DESC"));
    q.bindValue(0, conversation);
    qint64 failed = 0;
    if (exec(q)) {
        while (q.next()) {
            const auto state = MessageState(q.value(1).toInt());
            if (state == MessageState::Failed)
                failed = q.value(0).toLongLong();
            else if (state != MessageState::Queued)
                break;
        }
        finished(q);
    }
    q.finish();
    return failed;
}

QList<Message> History::markRead(const QString& peer)
{
    QList<Message> receipts;
    if (m_inTransaction && !flushSummaries())
        return receipts;
    const qint64 id = conversationId(peer, false);
    // Only chat messages are ever unread, and the summary counts them: nothing to read is one row to look at.
    if (!id || value("unread", QStringLiteral("SELECT unread FROM conversations WHERE id = ?"), {id}).toInt() == 0 ||
        !begin())
        return receipts;
    QSqlQuery q(m_db);
    // A sealed message keeps its receipt until it is opened (openSealed()): reading the conversation is not opening it.
    q.prepare(Select + sql("WHERE m.conversation = ? AND m.flags & (%{Unread} | %{WantsReadReceipt} | %{Sealed}) = "
                           "(%{Unread} | %{WantsReadReceipt})"));
    q.addBindValue(id);
    if (exec(q))
        while (q.next())
            receipts.append(read(q));
    q.prepare(sql("UPDATE messages SET flags = flags & ~(%{Unread} | "
                  "CASE WHEN flags & %{Sealed} = 0 THEN %{WantsReadReceipt} ELSE 0 END) "
                  "WHERE conversation = ? AND flags & %{Unread} <> 0"));
    q.addBindValue(id);
    if (!exec(q))
        return receipts;
    q.prepare(QStringLiteral("UPDATE conversations SET unread = 0 WHERE id = ?"));
    q.addBindValue(id);
    exec(q);
    return receipts;
}

std::optional<Message> History::openSealed(qint64 id)
{
    if (m_inTransaction && !flushSummaries())
        return std::nullopt;
    auto m = message(id);
    if (!m || m->direction != Direction::Incoming || !m->sealed || !begin())
        return std::nullopt;
    QSqlQuery q(m_db);
    if (m->unread) {
        q.prepare(QStringLiteral("UPDATE conversations SET unread = max(unread - 1, 0) "
                                 "WHERE id = (SELECT conversation FROM messages WHERE id = ?)"));
        q.addBindValue(id);
        if (!exec(q))
            return std::nullopt;
    }
    q.prepare(sql("UPDATE messages SET flags = flags & ~(%{Sealed} | %{Unread} | %{WantsReadReceipt}) WHERE id = ?"));
    q.addBindValue(id);
    if (!exec(q))
        return std::nullopt;
    return m;
}

bool History::renamePeer(const QString& from, const QString& to)
{
    if (from == to)
        return true;
    if (!moveConversation(from, to))
        return false;
    Q_EMIT peerRenamed(from, to);
    return true;
}

bool History::moveConversation(const QString& from, const QString& to)
{
    if (!begin() || !flushSummaries())
        return false;
    const qint64 source = conversationId(from, false);
    if (!source)
        return true;
    const qint64 target = conversationId(to, false);
    m_conversationIds.remove(from);
    m_conversationIds.remove(to);
    QSqlQuery q(m_db);
    if (!target) {
        // The usual case: one row changes, whatever the length of the conversation.
        q.prepare(QStringLiteral("UPDATE conversations SET peer = ? WHERE id = ?"));
        q.addBindValue(to);
        q.addBindValue(source);
        return exec(q);
    }
    // Both have messages (a stranger wrote from the address of a contact removed before this release): one
    // conversation, in the order of the sort keys.
    q.prepare(QStringLiteral("UPDATE messages SET conversation = ? WHERE conversation = ?"));
    q.addBindValue(target);
    q.addBindValue(source);
    if (!exec(q))
        return false;
    q.prepare(QStringLiteral("DELETE FROM conversations WHERE id = ?"));
    q.addBindValue(source);
    if (!exec(q))
        return false;
    const QStringList refresh = schema::refreshSummary(QStringLiteral("conversations.id = %1").arg(target));
    for (const QString& statement : refresh)
        if (!q.exec(statement)) {
            fail(q.lastError().text(), q.lastError().nativeErrorCode().toInt());
            return false;
        }
    return true;
}

bool History::hasConversation(const QString& peer)
{
    return conversationId(peer, false) != 0;
}

QString History::lastRemote(const QString& peer)
{
    const qint64 id = conversationId(peer, false);
    return id ? value("lastRemote",
                      QStringLiteral("SELECT remote FROM messages WHERE conversation = ? AND remote <> '' "
                                     "ORDER BY sort_key DESC, packet_no DESC LIMIT 1"),
                      {id})
                    .toString()
              : QString();
}

bool History::detachContact(const QString& name)
{
    const QString remote = lastRemote(name);
    return remote.isEmpty() || renamePeer(name, remote);
}

History::Health History::check(const QString& path, QString* report)
{
    report->clear();
    if (!QFileInfo(path).isFile()) {
        *report = tr("%1 is not a file").arg(path);
        return Health::Unreadable;
    }
    sqlite3* db = nullptr;
    sqlite3_stmt* statement = nullptr;
    int rc = sqlite3_open_v2(path.toUtf8().constData(), &db, SQLITE_OPEN_READONLY, nullptr);
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &statement, nullptr);
    QStringList findings;
    while (rc == SQLITE_OK || rc == SQLITE_ROW) {
        rc = sqlite3_step(statement);
        if (rc == SQLITE_ROW)
            findings.append(QString::fromUtf8(reinterpret_cast<const char*>(sqlite3_column_text(statement, 0))));
    }
    const QString why = QString::fromUtf8(sqlite3_errmsg(db));
    sqlite3_finalize(statement);
    sqlite3_close(db);
    if (rc != SQLITE_DONE) {
        *report = why;
        return isDamage(rc) ? Health::Damaged : Health::Unreadable;
    }
    *report = findings.join(u'\n');
    return findings == QStringList{QStringLiteral("ok")} ? Health::Ok : Health::Damaged;
}
