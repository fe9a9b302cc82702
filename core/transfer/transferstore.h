#pragma once

#include "filewire.h"

#include <QList>
#include <QSqlDatabase>
#include <QString>
#include <QVariant>

// What a transfer is and how far it got, as the history database keeps it (table `transfers`, schema.h), so that a
// restart of either side resumes it.
// Preparing (an outgoing offer whose files are still hashed) is never stored.
enum class TransferState { Offered = 0, Moving = 1, Done = 2, Failed = 3, Declined = 4, Cancelled = 5, Preparing = 6 };

QString transferStateName(TransferState state);

struct TransferRecord {
    quint64 id = 0;
    bool outgoing = false;
    QString peer;   // a contact's name or "address:port"
    QString remote; // the peer's address:port
    QString name;   // the offered file or folder
    quint64 totalBytes = 0;
    quint32 files = 0;
    quint32 manifestBytes = 0;
    QByteArray manifestSha256;
    QByteArray manifest; // empty on the receiving side until it arrived
    QString source;      // outgoing: the local file or folder; incoming: the download folder
    QByteArray stamps;   // outgoing: size and mtime (ms) of each file when offered, 16 bytes a file
    TransferState state = TransferState::Offered;
    quint64 done = 0;    // stream bytes known to be on the receiver's disk
    quint32 session = 0; // incoming: the session of its Accept
    QString saved;       // incoming, done: where it went
    QString error;       // failed: why
    qint64 timeMs = 0;   // when it was offered
};

// The rows of `transfers` in History's database. Every function returns false (or nothing) on a database error,
// with the reason in error().
class TransferStore {
public:
    explicit TransferStore(QSqlDatabase db);

    bool save(const TransferRecord& record);
    // State, progress, session, saved path and error of one row.
    bool update(const TransferRecord& record);
    // Gives every transfer with `from` the peer `to` (the conversation's key changed: History::peerRenamed).
    bool renamePeer(const QString& from, const QString& to);
    // One row, finished or not.
    std::optional<TransferRecord> find(quint64 id, bool outgoing);
    // Transfers not finished (Offered or Moving), oldest first.
    QList<TransferRecord> unfinished();
    // The newest `limit` transfers with `peer`, finished or not, newest first (for a conversation's thread).
    QList<TransferRecord> withPeer(const QString& peer, int limit);
    QString error() const { return m_error; }

private:
    QList<TransferRecord> select(const QString& where, const QVariantList& values);
    QSqlDatabase m_db;
    QString m_error;
};
