#include "schema.h"

#include "search.h"

#include <QCoreApplication>
#include <QFile>
#include <QRegularExpression>

#include <sqlite3.h>

namespace schema {

namespace {

// How many message ids one statement of the 1 -> 2 copy covers: each chunk reports progress.
constexpr qint64 CopyChunk = 100'000;
// How many message ids one step of building the full-text indexes covers: each chunk reports progress.
constexpr qint64 IndexChunk = 50'000;

QString tr(const char* text)
{
    return QCoreApplication::translate("History", text);
}

// Runs one or more statements; false with SQLite's reason in *error.
bool exec(sqlite3* db, const QString& statements, QString* error)
{
    char* message = nullptr;
    if (sqlite3_exec(db, statements.toUtf8().constData(), nullptr, nullptr, &message) == SQLITE_OK)
        return true;
    *error = QString::fromUtf8(message ? message : sqlite3_errmsg(db));
    sqlite3_free(message);
    return false;
}

qint64 single(sqlite3* db, const char* query)
{
    sqlite3_stmt* statement = nullptr;
    qint64 value = 0;
    if (sqlite3_prepare_v2(db, query, -1, &statement, nullptr) == SQLITE_OK && sqlite3_step(statement) == SQLITE_ROW)
        value = sqlite3_column_int64(statement, 0);
    sqlite3_finalize(statement);
    return value;
}

// Reports overall progress for a step that covers [from, to) of the whole upgrade.
struct Span {
    const Progress& progress;
    int from;
    int to;
    void operator()(double fraction) const
    {
        if (progress)
            progress(from + int((to - from) * std::clamp(fraction, 0.0, 1.0)));
    }
};

// 0 -> 1: the tables as the first release (9838a9f) created them, for a file that has none yet.
bool createFirstRelease(sqlite3* db, const Span&, QString* error)
{
    return exec(
        db,
        QStringLiteral("CREATE TABLE IF NOT EXISTS messages ("
                       " id INTEGER PRIMARY KEY, peer TEXT NOT NULL, direction INTEGER NOT NULL, text TEXT NOT NULL,"
                       " time INTEGER NOT NULL, sort_key REAL NOT NULL, state INTEGER NOT NULL, remote TEXT NOT NULL,"
                       " packet_no INTEGER NOT NULL DEFAULT 0, parts INTEGER NOT NULL DEFAULT 1,"
                       " flags INTEGER NOT NULL DEFAULT 0);"
                       "CREATE INDEX IF NOT EXISTS messages_by_peer ON messages (peer, sort_key);"),
        error);
}

// 1 -> 2: conversations get integer ids and a summary row; messages refer to the id instead of repeating the name.
// The messages are copied into the new table in chunks of ids (for progress), then the indexes are built once.
bool addConversations(sqlite3* db, const Span& span, QString* error)
{
    if (!exec(db,
              QStringLiteral(
                  // newest_key: the highest sort key of any row (system lines too), so that new rows sort after it;
                  // last_*: the newest chat message, for conversation lists; unread: chat messages not yet read.
                  "CREATE TABLE conversations ("
                  " id INTEGER PRIMARY KEY, peer TEXT NOT NULL UNIQUE, last_id INTEGER,"
                  " last_key REAL NOT NULL DEFAULT 0, last_packet_no INTEGER NOT NULL DEFAULT 0,"
                  " newest_key REAL NOT NULL DEFAULT 0, unread INTEGER NOT NULL DEFAULT 0);"
                  "INSERT INTO conversations (peer) SELECT DISTINCT peer FROM messages ORDER BY peer;"
                  "CREATE TABLE messages_v2 ("
                  " id INTEGER PRIMARY KEY, conversation INTEGER NOT NULL,"
                  " direction INTEGER NOT NULL, text TEXT NOT NULL, time INTEGER NOT NULL, sort_key REAL NOT NULL,"
                  " state INTEGER NOT NULL, remote TEXT NOT NULL, packet_no INTEGER NOT NULL DEFAULT 0,"
                  " parts INTEGER NOT NULL DEFAULT 1, flags INTEGER NOT NULL DEFAULT 0);"),
              error))
        return false;
    const qint64 last = single(db, "SELECT MAX(id) FROM messages");
    sqlite3_stmt* copy = nullptr;
    if (sqlite3_prepare_v2(db,
                           "INSERT INTO messages_v2 SELECT m.id, c.id, m.direction, m.text, m.time, m.sort_key, "
                           "m.state, m.remote, m.packet_no, m.parts, m.flags FROM messages m JOIN conversations c "
                           "ON c.peer = m.peer WHERE m.id > ? AND m.id <= ? ORDER BY m.id",
                           -1, &copy, nullptr) != SQLITE_OK) {
        *error = QString::fromUtf8(sqlite3_errmsg(db));
        return false;
    }
    for (qint64 from = 0; from < last; from += CopyChunk) {
        sqlite3_bind_int64(copy, 1, from);
        sqlite3_bind_int64(copy, 2, from + CopyChunk);
        const int rc = sqlite3_step(copy);
        sqlite3_reset(copy);
        if (rc != SQLITE_DONE) {
            *error = QString::fromUtf8(sqlite3_errmsg(db));
            sqlite3_finalize(copy);
            return false;
        }
        span(0.7 * std::min(1.0, double(from + CopyChunk) / double(last)));
    }
    sqlite3_finalize(copy);
    const char* const rest[] = {
        "DROP TABLE messages; ALTER TABLE messages_v2 RENAME TO messages;"
        // The settings table was never written by any release.
        "DROP TABLE IF EXISTS settings;",
        "CREATE INDEX messages_by_conversation ON messages (conversation, sort_key, packet_no);",
        "CREATE INDEX messages_by_packet ON messages (remote, packet_no);"
        // Small partial indexes: messages still to send, and the highest packet number this profile used.
        "CREATE INDEX messages_unsent ON messages (state) WHERE state IN (%{Queued}, %{Sending});"
        "CREATE INDEX messages_outgoing_packets ON messages (packet_no + parts - 1) "
        " WHERE direction = %{Outgoing};",

    };
    for (size_t i = 0; i < std::size(rest); ++i) {
        if (!exec(db, sql(rest[i]), error))
            return false;
        span(0.7 + 0.3 * double(i + 1) / double(std::size(rest) + 1));
    }
    return exec(db, refreshSummary(QStringLiteral("1")).join(u';'), error);
}

// The full-text indexes (search.h) for the messages there are, in chunks of ids (for progress).
bool addSearchIndex(sqlite3* db, const Span& span, QString* error)
{
    // FTS5 writes its pending terms out as a new segment whenever they exceed its hash size (1 MiB), and merges
    // segments as they pile up: for a bulk build 64 MiB made about half as many writes and merges (a 100 000-message
    // build took 9 s instead of 17 s). Back to the default afterwards, for the small batches of normal use.
    const auto hashSize = [db, error](int bytes) {
        return exec(db,
                    QStringLiteral("INSERT INTO message_trigrams (message_trigrams, rank) VALUES ('hashsize', %1);"
                                   "INSERT INTO message_shortterms (message_shortterms, rank) VALUES ('hashsize', %1);")
                        .arg(bytes),
                    error);
    };
    if (!exec(db, search::createTables(), error) || !search::addFunctions(db, error) || !hashSize(64 << 20))
        return false;
    const qint64 last = single(db, "SELECT MAX(id) FROM messages");
    for (qint64 from = 0; from < last; from += IndexChunk) {
        if (!search::indexRange(db, from, from + IndexChunk, error))
            return false;
        span(double(from + IndexChunk) / double(last));
    }
    return hashSize(1 << 20);
}

// 3 -> 4: file transfers (core/transfer/transferstore.h), one row per transfer and direction, with what a restart
// of either side needs to resume: the manifest, the local source or download folder, and the progress.
bool addTransfers(sqlite3* db, const Span&, QString* error)
{
    return exec(
        db,
        QStringLiteral("CREATE TABLE transfers ("
                       " id INTEGER NOT NULL, outgoing INTEGER NOT NULL, peer TEXT NOT NULL, remote TEXT NOT NULL,"
                       " name TEXT NOT NULL, total INTEGER NOT NULL, files INTEGER NOT NULL,"
                       " manifest_bytes INTEGER NOT NULL, manifest_sha BLOB NOT NULL, manifest BLOB,"
                       " source TEXT NOT NULL DEFAULT '', stamps BLOB, state INTEGER NOT NULL,"
                       " done INTEGER NOT NULL DEFAULT 0, session INTEGER NOT NULL DEFAULT 0,"
                       " saved TEXT NOT NULL DEFAULT '', error TEXT NOT NULL DEFAULT '', time INTEGER NOT NULL,"
                       " PRIMARY KEY (id, outgoing));"),
        error);
}

// 4 -> 5: groups (groupbook.h): a group's id (16 random bytes), its name here and the name its creator gave it; its
// members, the tombstones of those who left included (roster.h); and one row per member for every text or member change
// sent to the group, with that member's delivery state (the message row itself is in `messages`, 0 for a change).
bool addGroups(sqlite3* db, const Span& span, QString* error)
{
    const bool ok =
        exec(db,
             sql("CREATE TABLE groups (id BLOB PRIMARY KEY, name TEXT NOT NULL UNIQUE, wire_name TEXT NOT NULL);"
                 "CREATE TABLE group_members (group_id BLOB NOT NULL REFERENCES groups (id) ON DELETE CASCADE,"
                 " endpoint TEXT NOT NULL, name TEXT NOT NULL, clock INTEGER NOT NULL, left INTEGER NOT NULL,"
                 " PRIMARY KEY (group_id, endpoint));"
                 "CREATE TABLE group_outbox (id INTEGER PRIMARY KEY,"
                 " group_id BLOB NOT NULL REFERENCES groups (id) ON DELETE CASCADE, message INTEGER NOT NULL,"
                 " member TEXT NOT NULL, state INTEGER NOT NULL, packet_no INTEGER NOT NULL DEFAULT 0,"
                 " parts INTEGER NOT NULL DEFAULT 1);"
                 "CREATE INDEX group_outbox_by_message ON group_outbox (message);"
                 "CREATE INDEX group_outbox_unsent ON group_outbox (state) WHERE state IN (%{Queued}, %{Sending});"),
             error);
    span(1.0);
    return ok;
}

// 5 -> 6: how far the full-text indexes reach (History indexes new messages in batches after their own commit, off the
// acknowledgement's path). Up to version 5 every message was indexed in its own transaction: all are indexed.
bool addSearchProgress(sqlite3* db, const Span& span, QString* error)
{
    const bool ok =
        exec(db,
             QStringLiteral("CREATE TABLE search_progress (indexed INTEGER NOT NULL);"
                            "INSERT INTO search_progress VALUES ((SELECT IFNULL(MAX(id), 0) FROM messages));"),
             error);
    span(1.0);
    return ok;
}

using Step = bool (*)(sqlite3*, const Span&, QString*);
// Steps[v] upgrades version v to v + 1.
constexpr Step Steps[] = {createFirstRelease, addConversations, addSearchIndex,
                          addTransfers,       addGroups,        addSearchProgress};
static_assert(std::size(Steps) == Version);

// Copies the whole database (with what its log holds) to `path`; false with the reason in *error.
bool backup(sqlite3* db, const QString& path, const Span& span, QString* error)
{
    QFile::remove(path);
    sqlite3* copy = nullptr;
    if (sqlite3_open_v2(path.toUtf8().constData(), &copy, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) !=
        SQLITE_OK) {
        *error = QString::fromUtf8(sqlite3_errmsg(copy));
        sqlite3_close(copy);
        return false;
    }
    sqlite3_backup* job = sqlite3_backup_init(copy, "main", db, "main");
    int rc = SQLITE_OK;
    if (job) {
        do {
            rc = sqlite3_backup_step(job, 4096);
            const int total = sqlite3_backup_pagecount(job);
            span(total ? 1.0 - double(sqlite3_backup_remaining(job)) / total : 1.0);
        } while (rc == SQLITE_OK);
        sqlite3_backup_finish(job);
    }
    const bool ok = job && rc == SQLITE_DONE;
    if (!ok)
        *error = QString::fromUtf8(sqlite3_errmsg(copy));
    sqlite3_close(copy);
    if (!ok)
        QFile::remove(path);
    return ok;
}

} // namespace

QStringList refreshSummary(const QString& condition)
{
    return {sql("UPDATE conversations SET"
                " newest_key = ifnull((SELECT MAX(sort_key) FROM messages WHERE conversation = conversations.id), 0),"
                " unread = (SELECT COUNT(*) FROM messages WHERE conversation = conversations.id"
                "  AND flags & (%{Unread} | %{System}) = %{Unread}),"
                " last_id = (SELECT id FROM messages WHERE conversation = conversations.id AND flags & %{System} = 0"
                "  ORDER BY sort_key DESC, packet_no DESC LIMIT 1) WHERE ") +
                condition,
            sql("UPDATE conversations SET last_key = m.sort_key, last_packet_no = m.packet_no"
                " FROM messages m WHERE m.id = conversations.last_id AND ") +
                condition};
}

QString sql(const char* text)
{
    static const QHash<QString, int> names = {
        {QStringLiteral("Incoming"), int(Direction::Incoming)},
        {QStringLiteral("Outgoing"), int(Direction::Outgoing)},
        {QStringLiteral("Queued"), int(MessageState::Queued)},
        {QStringLiteral("Sending"), int(MessageState::Sending)},
        {QStringLiteral("Sent"), int(MessageState::Sent)},
        {QStringLiteral("Delivered"), int(MessageState::Delivered)},
        {QStringLiteral("Read"), int(MessageState::Read)},
        {QStringLiteral("Failed"), int(MessageState::Failed)},
        {QStringLiteral("Received"), int(MessageState::Received)},
        {QStringLiteral("Unread"), Unread},
        {QStringLiteral("WantsReadReceipt"), WantsReadReceipt},
        {QStringLiteral("System"), System},
        {QStringLiteral("Fragmented"), Fragmented},
        {QStringLiteral("AutoReply"), AutoReply},
        {QStringLiteral("Sealed"), Sealed},
    };
    static const QRegularExpression placeholder(QStringLiteral("%\\{(\\w+)\\}"));
    QString out = QString::fromUtf8(text);
    QRegularExpressionMatch match;
    while ((match = placeholder.match(out)).hasMatch()) {
        const auto it = names.constFind(match.captured(1));
        Q_ASSERT_X(it != names.cend(), "schema::sql", text);
        out.replace(match.capturedStart(), match.capturedLength(), QString::number(it == names.cend() ? -1 : *it));
    }
    return out;
}

bool upgrade(sqlite3* db, int from, const QString& backupPath, const Progress& reportTo, QString* error)
{
    // A file that already holds tables is copied aside first (the first 10 % of the progress). Making the tables of
    // a new file is no upgrade: it takes no time and reports no progress.
    const bool keep = single(db, "SELECT COUNT(*) FROM sqlite_master") > 0;
    const Progress progress = keep ? reportTo : Progress{};
    if (keep && !backup(db, backupPath, Span{progress, 0, 10}, error)) {
        *error = tr("could not copy it to %1 before upgrading it: %2").arg(backupPath, *error);
        return false;
    }
    const int start = keep ? 10 : 0;
    for (int version = from; version < Version; ++version) {
        const Span span{progress, start + (100 - start) * (version - from) / (Version - from),
                        start + (100 - start) * (version + 1 - from) / (Version - from)};
        QString why;
        if (!exec(db, QStringLiteral("BEGIN IMMEDIATE"), &why) || !Steps[version](db, span, &why) ||
            !exec(db, QStringLiteral("PRAGMA user_version = %1").arg(version + 1), &why) ||
            !exec(db, QStringLiteral("COMMIT"), &why)) {
            QString ignored;
            exec(db, QStringLiteral("ROLLBACK"), &ignored);
            *error = tr("could not upgrade it from version %1 to %2: %3").arg(version).arg(version + 1).arg(why);
            if (keep)
                *error += tr(" (a copy made before the upgrade is %1)").arg(backupPath);
            return false;
        }
    }
    if (keep)
        QFile::remove(backupPath);
    if (progress)
        progress(100);
    return true;
}

} // namespace schema
