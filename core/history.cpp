#include "history.h"

#include <QDir>
#include <QFileInfo>
#include <QSqlError>
#include <QSqlRecord>
#include <QTimer>
#include <QUuid>
#include <QVariant>

namespace {

constexpr int SchemaVersion = 1;

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
}

History::~History()
{
    if (m_db.isOpen())
        commit();
    m_queries.clear();
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
    // FULL: a row is on disk when its commit returns, so an acknowledged message survives a power cut.
    const char* const pragmas[] = {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL", "PRAGMA foreign_keys=ON",
                                   "PRAGMA busy_timeout=2000"};
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
    if (!m_db.transaction()) {
        m_error = tr("the history database %1 failed: %2").arg(m_path, m_db.lastError().text());
        Q_EMIT failed(m_error);
        return false;
    }
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
    if (!m_db.commit()) {
        m_error = tr("the history database %1 could not save: %2").arg(m_path, m_db.lastError().text());
        m_db.rollback();
        Q_EMIT failed(m_error);
        return false;
    }
    Q_EMIT committed();
    return true;
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
    QSqlQuery& q =
        prepared("append", QStringLiteral("INSERT INTO messages (peer, direction, text, time, sort_key, state, "
                                          "remote, packet_no, parts, flags) VALUES (?,?,?,?,?,?,?,?,?,?)"));
    q.bindValue(0, m.peer);
    q.bindValue(1, int(m.direction));
    q.bindValue(2, m.text);
    q.bindValue(3, m.time.toMSecsSinceEpoch());
    q.bindValue(4, m.sortKey);
    q.bindValue(5, int(m.state));
    q.bindValue(6, m.remote.isNull() ? QStringLiteral("") : m.remote); // unknown yet: a host name not resolved
    q.bindValue(7, qint64(m.packetNo));
    q.bindValue(8, m.parts);
    q.bindValue(9, (m.unread ? Unread : 0) | (m.wantsReadReceipt ? WantsReadReceipt : 0) | (m.isSystem ? System : 0) |
                       (m.fragmented ? Fragmented : 0));
    if (!exec(q))
        return false;
    m.id = q.lastInsertId().toLongLong();
    return true;
}

bool History::setState(qint64 id, MessageState state)
{
    if (!m_db.isOpen() || !begin())
        return false;
    QSqlQuery& q = prepared("setState", QStringLiteral("UPDATE messages SET state = ? WHERE id = ?"));
    q.bindValue(0, int(state));
    q.bindValue(1, id);
    return exec(q);
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
    QSqlQuery& q = prepared("findOutgoing", QStringLiteral("SELECT id FROM messages WHERE direction = 1 AND remote = ? "
                                                           "AND packet_no = ? ORDER BY id DESC LIMIT 1"));
    q.bindValue(0, remote);
    q.bindValue(1, qint64(packetNo));
    if (!exec(q) || !q.next())
        return 0;
    const qint64 id = q.value(0).toLongLong();
    q.finish();
    return id;
}

quint64 History::lastPacketNo()
{
    QSqlQuery q(m_db);
    if (!q.exec(QStringLiteral("SELECT MAX(packet_no + parts - 1) FROM messages WHERE direction = 1")) || !q.next())
        return 0;
    return quint64(q.value(0).toLongLong());
}

qint64 History::findIncoming(const QString& remote, quint64 packetNo, qint64 sinceMs)
{
    QSqlQuery& q = prepared("findIncoming", QStringLiteral("SELECT id FROM messages WHERE direction = 0 AND remote = ? "
                                                           "AND packet_no = ? AND time >= ? ORDER BY id DESC LIMIT 1"));
    q.bindValue(0, remote);
    q.bindValue(1, qint64(packetNo));
    q.bindValue(2, sinceMs);
    if (!exec(q) || !q.next())
        return 0;
    const qint64 id = q.value(0).toLongLong();
    q.finish();
    return id;
}

double History::sortKeyBefore(const QString& remote, quint64 packetNo, qint64 sinceMs)
{
    QSqlQuery& later = prepared("later", QStringLiteral("SELECT MIN(sort_key) FROM messages WHERE direction = 0 AND "
                                                        "remote = ? AND packet_no > ? AND time >= ?"));
    later.bindValue(0, remote);
    later.bindValue(1, qint64(packetNo));
    later.bindValue(2, sinceMs);
    if (!exec(later) || !later.next() || later.value(0).isNull())
        return 0;
    const double key = later.value(0).toDouble();
    later.finish();
    return key;
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
    QSqlQuery& q = prepared("size", QStringLiteral("SELECT COUNT(*) FROM messages WHERE peer = ?"));
    q.bindValue(0, peer);
    if (!exec(q) || !q.next())
        return 0;
    const qint64 n = q.value(0).toLongLong();
    q.finish();
    return n;
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
    QSqlQuery& q = prepared("queued", QStringLiteral("SELECT COUNT(*) FROM messages WHERE state = 0 AND peer = ?"));
    q.bindValue(0, peer);
    if (!exec(q) || !q.next())
        return 0;
    const qint64 n = q.value(0).toLongLong();
    q.finish();
    return n;
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
    QSqlQuery& q = prepared("setting", QStringLiteral("SELECT value FROM settings WHERE key = ?"));
    q.bindValue(0, key);
    if (!exec(q) || !q.next())
        return fallback;
    const QString value = q.value(0).toString();
    q.finish();
    return value;
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
