#pragma once

#include <QDateTime>
#include <QHash>
#include <QList>
#include <QObject>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QString>
#include <QThreadPool>
#include <QTimer>

#include "search.h"

#include <functional>
#include <limits>
#include <memory>
#include <optional>

struct sqlite3;

enum class Direction { Incoming = 0, Outgoing = 1 };

// Outgoing messages move Queued/Sending -> Sent (plain text: no receipts exist) | Delivered -> Read, or Failed.
enum class MessageState { Queued = 0, Sending = 1, Sent = 2, Delivered = 3, Read = 4, Failed = 5, Received = 6 };

QString stateName(MessageState state);

struct Message {
    qint64 id = 0;
    QString peer; // a contact's name, or "address:port" for a sender that is no contact
    Direction direction = Direction::Incoming;
    QString text;
    QDateTime time;
    double sortKey = 0; // display order within a conversation, ties broken by packetNo
    MessageState state = MessageState::Received;
    QString remote; // the address:port the datagram came from or went to
    quint64 packetNo = 0;
    int parts = 1;           // outgoing: how many datagrams carry it
    bool fragmented = false; // outgoing: carried as Pigeon parts (fragment.h) rather than SENDMSG packets
    bool unread = false;
    bool wantsReadReceipt = false; // incoming IPMsg message sent with READCHECKOPT or SECRETOPT
    bool sealed = false;      // IPMsg SECRETOPT; incoming: not opened yet (History::openSealed), outgoing: sent sealed
    bool isSystem = false;    // a line such as "came online", not a chat message
    bool isAutoReply = false; // an automatic answer of someone away (IPMsg AUTORETOPT), sent or received
};

// One row per conversation, for contact lists.
struct ConversationSummary {
    QString peer;
    QString lastText;
    QDateTime lastTime;
    int unread = 0;
};

// A message that History::search() found, with where the query matched in its text (for highlighting).
struct SearchHit {
    Message message;
    QList<search::Span> spans;
};

// One page of search results, newest first.
struct SearchPage {
    QList<SearchHit> hits;
    qint64 next = 0; // `before` for the following page; 0: there is none
};

// Every message in and out, in SQLite (WAL), one row per message and one per conversation (schema.h has the layout
// and its versions; an older file is upgraded at open, a newer one refused). Writes join one transaction that commits
// when control returns to the event loop (or on commit()), so that a burst of datagrams costs one commit; committed()
// says when rows are on the disk (synchronous=FULL), which is when the engine may acknowledge them. The full-text
// indexes follow in batches of their own (indexPending()), so that no acknowledgement waits for them.
class History : public QObject {
    Q_OBJECT
public:
    explicit History(QObject* parent = nullptr);
    ~History() override;

    enum class Access { ReadWrite, ReadOnly };
    // Opens (creating if needed) the database and upgrades an older schema; on failure error() names the file and
    // the reason. Reads a few pages whatever the size of the history: damage elsewhere in the file is found when a
    // page is read (an error naming the file, and nothing more is written) or by check(). ReadOnly opens an
    // existing file that another Pigeon may be using, and refuses one that would need an upgrade.
    bool open(const QString& path, Access access = Access::ReadWrite);
    // Called during a schema upgrade at open of a file that holds data (which can take a while for a long history)
    // with 0..100 %; not when a new file is made.
    void setUpgradeProgress(std::function<void(int percent)> progress) { m_progress = std::move(progress); }
    bool isOpen() const { return m_db.isOpen(); }
    QString error() const { return m_error; }
    QString path() const { return m_path; }

    // Stores a message and fills in its id (and sortKey when zero). False on a database error.
    bool append(Message& message);
    bool setState(qint64 id, MessageState state);
    // Moves a queued or failed message back to Sending under new packet numbers.
    bool resend(qint64 id, quint64 packetNo, int parts);
    // The outgoing message whose first packet to `remote` had that number, or 0.
    qint64 findOutgoing(const QString& remote, quint64 packetNo);
    // The highest packet number this profile has used for a message, so numbers never repeat after a restart.
    quint64 lastPacketNo();
    // Commits the open transaction, if any, and emits committed(), then indexes what is not indexed yet
    // (indexPending()). The batches the event loop commits by themselves leave the index to indexPending()'s timer.
    // False on a database error.
    bool commit();
    // Adds the messages stored since the last batch to the full-text indexes, in a transaction of its own (committed
    // here). Runs by itself IndexDelayMs after an append (then IndexBatch messages per event-loop turn, so that a long
    // backlog does not hold back the datagrams waiting behind it), and in full with `limit` left out: before a search,
    // at open (after a crash) and at close. False on a database error.
    bool indexPending(qint64 limit = std::numeric_limits<qint64>::max());
    static constexpr int IndexDelayMs = 250;
    static constexpr qint64 IndexBatch = 2000; // messages, about 20 ms of FTS5 work on the benchmark machine
    bool hasUncommitted() const { return m_inTransaction; }
    // For a store that keeps its tables in this database (transfers, groupbook.h): the connection, and joining the open
    // transaction (begun if none is) so that its writes commit, and are announced by committed(), with the messages.
    QSqlDatabase database() const { return m_db; }
    bool beginWrite() { return begin(); }

    // The newest incoming row from `remote` with that packet number received after `sinceMs`, or 0.
    qint64 findIncoming(const QString& remote, quint64 packetNo, qint64 sinceMs);
    // Where a message that the sender sent before ones already stored belongs: the sort key of the first stored
    // incoming message from `remote` with a higher packet number, received after `sinceMs` (0: none, at the end).
    // Rows that share a key are ordered by packet number, so a late message lands just before that one however
    // many others arrived late before it.
    double sortKeyBefore(const QString& remote, quint64 packetNo, qint64 sinceMs);

    std::optional<Message> message(qint64 id);
    // Up to `limit` messages of a conversation that sort before (`beforeKey`, `beforePacketNo`), oldest first.
    // Display order is (sortKey, packetNo); to page back from a message, pass its sortKey and packetNo.
    QList<Message> conversation(const QString& peer, double beforeKey, int limit, quint64 beforePacketNo = 0);
    // Up to `limit` messages of a conversation that sort after (`afterKey`, `afterPacketNo`), oldest first: to read a
    // whole conversation forward, page by page, from (-1, 0).
    QList<Message> conversationAfter(const QString& peer, double afterKey, quint64 afterPacketNo, int limit);
    // Up to `limit` received messages (system lines included) of every conversation with afterId < id <= upToId, in
    // the order they were stored (ids grow with each append): to show what arrived since a point, page by page.
    QList<Message> incoming(qint64 afterId, qint64 upToId, int limit);
    // Up to `limit` received sealed messages not opened yet (openSealed), of every conversation, oldest first. Reads
    // the whole table (no index holds the flag): for a user's request, not for start-up.
    QList<Message> sealedWaiting(int limit);
    qint64 conversationSize(const QString& peer);
    QList<ConversationSummary> conversations();
    QList<Message> unsent(); // Queued and Sending outgoing messages, oldest first
    // How many messages to `peer` wait in the offline queue.
    qint64 queuedCount(const QString& peer);
    // The oldest failed outgoing message to `peer` after which nothing has left (only queued or failed messages
    // follow it), or 0. Queued messages behind it wait until it is retried, so that messages arrive in the order
    // they were written (issue 16). Reads the conversation's outgoing rows from the newest back to the first that
    // left: a few rows.
    qint64 failureHoldingQueue(const QString& peer);
    // Marks a conversation read; returns the messages that asked for a read receipt, except sealed ones, which stay
    // sealed (with their receipt due) until openSealed().
    QList<Message> markRead(const QString& peer);
    // Opens an incoming sealed message (it is read, no longer sealed); returns it as it was (wantsReadReceipt: the
    // sender waits for READMSG), or nothing when `id` is no sealed message or on a database error.
    std::optional<Message> openSealed(qint64 id);
    // Gives a conversation another key (a contact renamed, a stranger added as a contact): one row changes. When
    // `to` has a conversation already, the two become one.
    bool renamePeer(const QString& from, const QString& to);
    bool hasConversation(const QString& peer);
    // The address:port the newest message of `peer` that has one came from or went to; empty when none.
    QString lastRemote(const QString& peer);
    // The contact `name` was removed, its history kept: its conversation is keyed again by the address:port it last
    // talked with, as a stranger's is, so that a message from there (or adding it back under any name) continues
    // the same conversation. True when done or when there was nothing to move.
    bool detachContact(const QString& name);

    static constexpr int SearchPageSize = 50;
    // Chat messages whose text matches `query` (search.h says how words match: case-insensitive substrings of three
    // characters or more, Chinese words of one or two characters, other short words whole), newest stored first:
    // at most `limit` of those stored before the message with id `before` (0: from the newest), of `peer`'s
    // conversation only when `peer` is not empty. System lines are not searched. On a database error the page is
    // empty and error() says why. Each page reads about `limit` entries of an index, whatever its size (with `peer`,
    // the other conversations' matches are skipped on the way).
    SearchPage search(const QString& query, const QString& peer = {}, qint64 before = 0, int limit = SearchPageSize);

    // The result of check(): the file is sound, SQLite found damage (listed in *report), or it cannot be read.
    enum class Health { Ok, Damaged, Unreadable };
    // PRAGMA integrity_check over the whole file at `path`, read-only (so it works while Pigeon runs): it reads
    // every page, so it takes about as long as reading the file. *report gets SQLite's findings or the reason.
    static Health check(const QString& path, QString* report);

Q_SIGNALS:
    void committed();
    // A database error after open (disk full, file removed): the text names the file.
    void failed(const QString& error);
    // renamePeer() gave the conversation `from` the key `to`: what else is keyed by peer (file transfers) follows.
    void peerRenamed(const QString& from, const QString& to);

private:
    bool begin();
    // Commits the open transaction, if any, and emits committed(); the full-text indexes are not brought up to date.
    bool commitRows();
    bool prepareSchema(Access access);
    // renamePeer()'s rows, without the signal.
    bool moveConversation(const QString& from, const QString& to);
    // Gives the write-ahead log its full length (LogFrames) in written blocks, so that a commit does not lengthen it.
    void preallocateLog();
    static constexpr int LogFrames = 1000; // pages; SQLite's default wal_autocheckpoint
    // The id of `peer`'s conversation from the cache, else from the database (created when `create`); 0: none.
    qint64 conversationId(const QString& peer, bool create);
    // Writes the summary changes of the appends in this transaction (one UPDATE per conversation written to, not per
    // message: a per-message UPDATE cost a third of an append's CPU time). False on a database error.
    bool flushSummaries();
    // Records a failed statement: error(), failed(), and for damage a note that nothing more is written.
    void fail(const QString& why, int code);
    // Checkpoints the log in a worker thread, copying committed pages into the database file.
    void sync();
    bool exec(QSqlQuery& query);
    // After reading a query's rows: records an error that ended them early.
    void finished(const QSqlQuery& query);
    // Runs the prepared `q` and reads all its rows; empty, with the error recorded, when it fails.
    QList<Message> readAll(QSqlQuery& q);
    // The first column of the first row a prepared `sql` gives for `values`; invalid when there is none (or on error).
    QVariant value(const char* key, const QString& sql, std::initializer_list<QVariant> values);
    class Statement;
    Statement& statement(std::unique_ptr<Statement>& slot, const QString& sql);
    sqlite3* handle() const;
    bool run(Statement& statement);
    QSqlQuery& prepared(const char* key, const QString& sql);
    // Up to `limit` messages of `peer`'s conversation in the order and on the side of (sortKey, packetNo) that
    // `where` gives (its three placeholders: sort key, packet number, limit); `key` names the prepared query.
    QList<Message> page(const char* key, const QString& peer, double sortKey, quint64 packetNo, int limit,
                        const QString& where);
    Message read(const QSqlQuery& query) const;
    // The highest packet number of an incoming message from `remote`: a number above it is neither a duplicate nor
    // overtaken by a later message, so in-order traffic needs neither query.
    qint64 maxIncomingPacketNo(const QString& remote);
    double nextSortKey(qint64 timeMs);

    QString m_connection;
    QSqlDatabase m_db;
    QString m_path;
    QString m_error;
    bool m_inTransaction = false;
    bool m_commitScheduled = false;
    QTimer m_syncTimer;
    QTimer m_indexTimer;
    qint64 m_indexed = 0; // search_progress.indexed: the messages up to this id are in the full-text indexes
    QThreadPool m_checkpointer;
    QHash<QString, qint64> m_maxIncoming;
    QHash<QString, qint64> m_conversationIds; // peer -> conversations.id, so an append needs no lookup
    // What the appends of the open transaction change in each conversation's summary row, by conversations.id.
    struct SummaryChange {
        double newestKey = 0;
        int unread = 0;
        qint64 lastId = 0; // 0: no chat message (only system lines) in this transaction
        double lastKey = 0;
        quint64 lastPacketNo = 0;
    };
    QHash<qint64, SummaryChange> m_summaries;
    std::function<void(int)> m_progress;
    bool m_damaged = false; // SQLite reported damage: nothing more is written
    bool m_readOnly = false;
    double m_lastSortKey = 0;
    std::map<const char*, std::unique_ptr<QSqlQuery>> m_queries;
    std::unique_ptr<Statement> m_append;
    std::unique_ptr<Statement> m_setState;
    std::unique_ptr<Statement> m_newConversation;
    std::unique_ptr<Statement> m_summary;
    std::unique_ptr<Statement> m_indexProgress;
    std::unique_ptr<Statement> m_begin;
    std::unique_ptr<Statement> m_commit;
};
