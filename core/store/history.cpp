#include "history.h"

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

constexpr int SchemaVersion = 1;
// How soon after a commit a worker copies the write-ahead log into the database, keeping the log short without
// stalling the event loop on the checkpoint's fsyncs.
constexpr int SyncDelayMs = 1000;
// Remotes whose highest incoming packet number is kept in memory (a cache: forgetting costs one query).
constexpr qsizetype MaxRemembered = 4096;

const char* const Schema[] = {
    "CREATE TABLE IF NOT EXISTS messages ("
    " id INTEGER PRIMARY KEY,"
    " peer TEXT NOT NULL,"
    " direction INTEGER NOT NULL,"
    " text TEXT NOT NULL,"
    " time INTEGER NOT NULL,"
    " sort_key REAL NOT NULL,"
    " state INTEGER NOT NULL,"
    " remote TEXT NOT NULL,"
    " packet_no INTEGER NOT NULL DEFAULT 0,"
    " parts INTEGER NOT NULL DEFAULT 1,"
    " flags INTEGER NOT NULL DEFAULT 0)",
    "CREATE INDEX IF NOT EXISTS messages_by_peer ON messages (peer, sort_key, packet_no)",
    "CREATE INDEX IF NOT EXISTS messages_by_packet ON messages (remote, packet_no)",
    "CREATE INDEX IF NOT EXISTS messages_unsent ON messages (state) WHERE state < 2",
    "CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
};

enum Flag { Unread = 1, WantsReadReceipt = 2, System = 4, Fragmented = 8 };

const QString Columns =
    QStringLiteral("id, peer, direction, text, time, sort_key, state, remote, packet_no, parts, flags");

} // namespace

// A statement prepared on SQLite's own handle, for the writes made once per message: QtSql's bindValue() builds a
// placeholder name per value, which cost more than SQLite's own work (46 % of an insert).
class History::Statement {
public:
    Statement(sqlite3* db, const char* sql)
        : m_db(db)
    {
        if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &m_statement, nullptr) != SQLITE_OK)
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
    // Runs the statement to its end and makes it ready for the next use; false (with SQLite's reason) on an error.
    bool step(QString* error)
    {
        if (!m_statement) {
            m_texts.clear();
            *error = QString::fromUtf8(sqlite3_errmsg(m_db));
            return false;
        }
        const int rc = sqlite3_step(m_statement);
        sqlite3_reset(m_statement);
        m_texts.clear();
        if (rc == SQLITE_DONE || rc == SQLITE_ROW)
            return true;
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
    m_begin.reset();
    m_commit.reset();
    m_db.close();
    m_db = {};
    QSqlDatabase::removeDatabase(m_connection);
}

bool History::open(const QString& path)
{
    m_path = path;
    QDir().mkpath(QFileInfo(path).absolutePath());
    m_db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_connection);
    m_db.setDatabaseName(path);
    if (!m_db.open()) {
        m_error = tr("cannot open the history database %1: %2").arg(path, m_db.lastError().text());
        return false;
    }
    QSqlQuery q(m_db);
    // FULL in WAL mode: a commit is on the disk when it returns. The engine acknowledges a message only after its
    // commit, and an acknowledged message must survive a power cut, not just a crash of the process. The price is
    // one fsync per batch (4 ms on the benchmark machine; see README, Performance): NORMAL was 2x the throughput and
    // 50x less latency there, but could lose up to the last second of acknowledged messages.
    const char* const pragmas[] = {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL", "PRAGMA foreign_keys=ON",
                                   "PRAGMA busy_timeout=2000",
                                   // The worker's checkpoints keep the log short; this is the backstop (40 MB).
                                   "PRAGMA wal_autocheckpoint=10000"};
    for (const char* pragma : pragmas) {
        if (!q.exec(QString::fromLatin1(pragma))) {
            m_error = tr("the history database %1 cannot be used: %2").arg(path, q.lastError().text());
            m_db.close();
            return false;
        }
    }
    if (!q.exec(QStringLiteral("PRAGMA quick_check")) || !q.next() || q.value(0).toString() != u"ok") {
        m_error = tr("the history database %1 is damaged (%2); it was left as it is")
                      .arg(path, q.lastError().isValid() ? q.lastError().text() : q.value(0).toString());
        m_db.close();
        return false;
    }
    for (const char* statement : Schema) {
        if (!q.exec(QString::fromLatin1(statement))) {
            m_error = tr("cannot prepare the history database %1: %2").arg(path, q.lastError().text());
            m_db.close();
            return false;
        }
    }
    q.exec(QStringLiteral("PRAGMA user_version = %1").arg(SchemaVersion));
    if (q.exec(QStringLiteral("SELECT MAX(sort_key) FROM messages")) && q.next())
        m_lastSortKey = q.value(0).toDouble();
    return true;
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

History::Statement& History::statement(std::unique_ptr<Statement>& slot, const char* sql)
{
    if (!slot) {
        const QVariant handle = m_db.driver()->handle();
        slot = std::make_unique<Statement>(*static_cast<sqlite3* const*>(handle.constData()), sql);
    }
    return *slot;
}

bool History::run(Statement& statement)
{
    QString why;
    if (statement.step(&why))
        return true;
    m_error = tr("the history database %1 failed: %2").arg(m_path, why);
    Q_EMIT failed(m_error);
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
    m_error = tr("the history database %1 failed: %2").arg(m_path, query.lastError().text());
    Q_EMIT failed(m_error);
    return false;
}

bool History::begin()
{
    if (m_inTransaction)
        return true;
    // BEGIN and COMMIT run once per batch: prepared once on SQLite's handle rather than by QtSql each time.
    if (!run(statement(m_begin, "BEGIN")))
        return false;
    m_inTransaction = true;
    if (!m_commitScheduled) {
        m_commitScheduled = true;
        QTimer::singleShot(0, this, [this] {
            m_commitScheduled = false;
            commit();
        });
    }
    return true;
}

bool History::commit()
{
    if (!m_inTransaction)
        return true;
    for (auto& [key, query] : m_queries)
        query->finish();
    m_inTransaction = false;
    QString why;
    if (!statement(m_commit, "COMMIT").step(&why)) {
        m_error = tr("the history database %1 could not save: %2").arg(m_path, why);
        m_db.rollback();
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
        if (sqlite3_open_v2(path.constData(), &db, SQLITE_OPEN_READWRITE, nullptr) == SQLITE_OK) {
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

bool History::append(Message& m)
{
    if (!m_db.isOpen() || !begin())
        return false;
    if (!m.time.isValid())
        m.time = QDateTime::currentDateTimeUtc();
    if (m.sortKey == 0)
        m.sortKey = nextSortKey(m.time.toMSecsSinceEpoch());
    Statement& q = statement(m_append, "INSERT INTO messages (peer, direction, text, time, sort_key, state, remote, "
                                       "packet_no, parts, flags) VALUES (?,?,?,?,?,?,?,?,?,?)");
    q.bind(1, m.peer);
    q.bind(2, qint64(m.direction));
    q.bind(3, m.text);
    q.bind(4, m.time.toMSecsSinceEpoch());
    q.bind(5, m.sortKey);
    q.bind(6, qint64(m.state));
    q.bind(7, m.remote); // empty while a host name is not resolved
    q.bind(8, qint64(m.packetNo));
    q.bind(9, qint64(m.parts));
    q.bind(10, qint64((m.unread ? Unread : 0) | (m.wantsReadReceipt ? WantsReadReceipt : 0) |
                      (m.isSystem ? System : 0) | (m.fragmented ? Fragmented : 0)));
    if (!run(q))
        return false;
    m.id = sqlite3_last_insert_rowid(q.db());
    if (m.direction == Direction::Incoming)
        if (const auto it = m_maxIncoming.find(m.remote); it != m_maxIncoming.end())
            *it = std::max(*it, qint64(m.packetNo));
    return true;
}

bool History::setState(qint64 id, MessageState state)
{
    if (!m_db.isOpen() || !begin())
        return false;
    Statement& q = statement(m_setState, "UPDATE messages SET state = ? WHERE id = ?");
    q.bind(1, qint64(state));
    q.bind(2, id);
    return run(q);
}

bool History::resend(qint64 id, quint64 packetNo, int parts)
{
    if (!m_db.isOpen() || !begin())
        return false;
    QSqlQuery& q =
        prepared("resend", QStringLiteral("UPDATE messages SET state = 1, packet_no = ?, parts = ? WHERE id = ?"));
    q.bindValue(0, qint64(packetNo));
    q.bindValue(1, parts);
    q.bindValue(2, id);
    return exec(q);
}

qint64 History::findOutgoing(const QString& remote, quint64 packetNo)
{
    return value("findOutgoing",
                 QStringLiteral("SELECT id FROM messages WHERE direction = 1 AND remote = ? AND packet_no = ? "
                                "ORDER BY id DESC LIMIT 1"),
                 {remote, qint64(packetNo)})
        .toLongLong();
}

quint64 History::lastPacketNo()
{
    QSqlQuery q(m_db);
    if (!q.exec(QStringLiteral("SELECT MAX(packet_no + parts - 1) FROM messages WHERE direction = 1")) || !q.next())
        return 0;
    return quint64(q.value(0).toLongLong());
}

qint64 History::maxIncomingPacketNo(const QString& remote)
{
    if (const auto it = m_maxIncoming.constFind(remote); it != m_maxIncoming.cend())
        return *it;
    QSqlQuery& q = prepared("maxIncoming", QStringLiteral("SELECT MAX(packet_no) FROM messages WHERE direction = 0 AND "
                                                          "remote = ?"));
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
                 QStringLiteral("SELECT id FROM messages WHERE direction = 0 AND remote = ? AND packet_no = ? "
                                "AND time >= ? ORDER BY id DESC LIMIT 1"),
                 {remote, qint64(packetNo), sinceMs})
        .toLongLong();
}

double History::sortKeyBefore(const QString& remote, quint64 packetNo, qint64 sinceMs)
{
    if (qint64(packetNo) >= maxIncomingPacketNo(remote))
        return 0;
    return value("later",
                 QStringLiteral("SELECT MIN(sort_key) FROM messages WHERE direction = 0 AND remote = ? "
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
    return m;
}

std::optional<Message> History::message(qint64 id)
{
    QSqlQuery& q = prepared("message", u"SELECT " + Columns + u" FROM messages WHERE id = ?");
    q.bindValue(0, id);
    if (!exec(q) || !q.next())
        return std::nullopt;
    Message m = read(q);
    q.finish();
    return m;
}

QList<Message> History::conversation(const QString& peer, double beforeKey, int limit, quint64 beforePacketNo)
{
    QSqlQuery& q = prepared("conversation", u"SELECT " + Columns +
                                                u" FROM messages WHERE peer = ? AND (sort_key, packet_no) < (?, ?) "
                                                u"ORDER BY sort_key DESC, packet_no DESC LIMIT ?");
    q.bindValue(0, peer);
    q.bindValue(1, beforeKey);
    q.bindValue(2, qint64(std::min<quint64>(beforePacketNo, std::numeric_limits<qint64>::max())));
    q.bindValue(3, limit);
    QList<Message> out;
    if (!exec(q))
        return out;
    while (q.next())
        out.append(read(q));
    q.finish();
    std::reverse(out.begin(), out.end());
    return out;
}

qint64 History::conversationSize(const QString& peer)
{
    return value("size", QStringLiteral("SELECT COUNT(*) FROM messages WHERE peer = ?"), {peer}).toLongLong();
}

QList<ConversationSummary> History::conversations()
{
    // The newest row of each peer (SQLite's bare-column rule for MAX), and its unread count.
    QSqlQuery q(m_db);
    QList<ConversationSummary> out;
    if (!q.exec(QStringLiteral("SELECT peer, text, time, MAX(sort_key), SUM(flags & 1) FROM messages "
                               "WHERE (flags & 4) = 0 GROUP BY peer ORDER BY MAX(sort_key) DESC")))
        return out;
    while (q.next())
        out.append({q.value(0).toString(), q.value(1).toString(),
                    QDateTime::fromMSecsSinceEpoch(q.value(2).toLongLong(), Qt::UTC), q.value(4).toInt()});
    return out;
}

QList<Message> History::unsent()
{
    QSqlQuery q(m_db);
    QList<Message> out;
    if (!q.exec(u"SELECT " + Columns + u" FROM messages WHERE state < 2 ORDER BY id"))
        return out;
    while (q.next())
        out.append(read(q));
    return out;
}

qint64 History::queuedCount(const QString& peer)
{
    return value("queued", QStringLiteral("SELECT COUNT(*) FROM messages WHERE state = 0 AND peer = ?"), {peer})
        .toLongLong();
}

QList<Message> History::markRead(const QString& peer)
{
    QList<Message> receipts;
    if (!m_db.isOpen() || !begin())
        return receipts;
    QSqlQuery q(m_db);
    q.prepare(u"SELECT " + Columns + u" FROM messages WHERE peer = ? AND (flags & 3) = 3");
    q.addBindValue(peer);
    if (q.exec())
        while (q.next())
            receipts.append(read(q));
    q.prepare(QStringLiteral("UPDATE messages SET flags = flags & ~3 WHERE peer = ? AND (flags & 1) = 1"));
    q.addBindValue(peer);
    exec(q);
    return receipts;
}

bool History::renamePeer(const QString& from, const QString& to)
{
    if (!m_db.isOpen() || !begin())
        return false;
    QSqlQuery q(m_db);
    q.prepare(QStringLiteral("UPDATE messages SET peer = ? WHERE peer = ?"));
    q.addBindValue(to);
    q.addBindValue(from);
    return exec(q);
}

QString History::setting(const QString& key, const QString& fallback)
{
    const QVariant v = value("setting", QStringLiteral("SELECT value FROM settings WHERE key = ?"), {key});
    return v.isValid() ? v.toString() : fallback;
}

bool History::setSetting(const QString& key, const QString& value)
{
    if (!m_db.isOpen() || !begin())
        return false;
    QSqlQuery& q = prepared("setSetting", QStringLiteral("INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)"));
    q.bindValue(0, key);
    q.bindValue(1, value);
    return exec(q);
}
