#include "transferstore.h"

#include <QCoreApplication>
#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

QString transferStateName(TransferState state)
{
    switch (state) {
    case TransferState::Offered: return QCoreApplication::translate("Transfers", "offered");
    case TransferState::Moving: return QCoreApplication::translate("Transfers", "moving");
    case TransferState::Done: return QCoreApplication::translate("Transfers", "done");
    case TransferState::Failed: return QCoreApplication::translate("Transfers", "failed");
    case TransferState::Declined: return QCoreApplication::translate("Transfers", "declined");
    case TransferState::Cancelled: return QCoreApplication::translate("Transfers", "cancelled");
    case TransferState::Preparing: return QCoreApplication::translate("Transfers", "preparing");
    }
    return {};
}

namespace {

// NOT NULL text columns: a null QString would bind as NULL.
QVariant text(const QString& s)
{
    return s.isNull() ? QVariant(QStringLiteral("")) : QVariant(s);
}

} // namespace

TransferStore::TransferStore(QSqlDatabase db)
    : m_db(std::move(db))
{
}

bool TransferStore::save(const TransferRecord& r)
{
    QSqlQuery q(m_db);
    q.prepare(QStringLiteral("INSERT OR REPLACE INTO transfers (id, outgoing, peer, remote, name, total, files, "
                             "manifest_bytes, manifest_sha,"
                             " manifest, source, stamps, state, done, session, saved, error, time)"
                             " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
    for (const QVariant& v :
         {QVariant(qint64(r.id)), QVariant(r.outgoing ? 1 : 0), text(r.peer), text(r.remote), text(r.name),
          QVariant(qint64(r.totalBytes)), QVariant(r.files), QVariant(r.manifestBytes), QVariant(r.manifestSha256),
          QVariant(r.manifest), text(r.source), QVariant(r.stamps), QVariant(int(r.state)), QVariant(qint64(r.done)),
          QVariant(r.session), text(r.saved), text(r.error), QVariant(r.timeMs)})
        q.addBindValue(v);
    if (!q.exec()) {
        m_error = q.lastError().text();
        return false;
    }
    return true;
}

bool TransferStore::update(const TransferRecord& r)
{
    QSqlQuery q(m_db);
    q.prepare(QStringLiteral("UPDATE transfers SET state = ?, done = ?, session = ?, saved = ?, error = ?, manifest = ?"
                             " WHERE id = ? AND outgoing = ?"));
    for (const QVariant& v :
         {QVariant(int(r.state)), QVariant(qint64(r.done)), QVariant(r.session), text(r.saved), text(r.error),
          QVariant(r.manifest), QVariant(qint64(r.id)), QVariant(r.outgoing ? 1 : 0)})
        q.addBindValue(v);
    if (!q.exec()) {
        m_error = q.lastError().text();
        return false;
    }
    return true;
}

bool TransferStore::renamePeer(const QString& from, const QString& to)
{
    QSqlQuery q(m_db);
    q.prepare(QStringLiteral("UPDATE transfers SET peer = ? WHERE peer = ?"));
    q.addBindValue(text(to));
    q.addBindValue(text(from));
    if (!q.exec()) {
        m_error = q.lastError().text();
        return false;
    }
    return true;
}

std::optional<TransferRecord> TransferStore::find(quint64 id, bool outgoing)
{
    const QList<TransferRecord> rows =
        select(QStringLiteral("id = ? AND outgoing = ?"), {QVariant(qint64(id)), QVariant(outgoing ? 1 : 0)});
    return rows.isEmpty() ? std::nullopt : std::optional(rows.first());
}

QList<TransferRecord> TransferStore::unfinished()
{
    return select(QStringLiteral("state IN (?, ?) ORDER BY time"),
                  {QVariant(int(TransferState::Offered)), QVariant(int(TransferState::Moving))});
}

QList<TransferRecord> TransferStore::withPeer(const QString& peer, int limit)
{
    return select(QStringLiteral("peer = ? ORDER BY time DESC LIMIT ?"), {QVariant(peer), QVariant(limit)});
}

QList<TransferRecord> TransferStore::select(const QString& where, const QVariantList& values)
{
    QList<TransferRecord> out;
    QSqlQuery q(m_db);
    q.prepare(QStringLiteral("SELECT id, outgoing, peer, remote, name, total, files, manifest_bytes, manifest_sha,"
                             " manifest, source, stamps, state, done, session, saved, error, time FROM transfers"
                             " WHERE ") +
              where);
    for (const QVariant& v : values)
        q.addBindValue(v);
    if (!q.exec()) {
        m_error = q.lastError().text();
        return out;
    }
    while (q.next()) {
        TransferRecord r;
        r.id = quint64(q.value(0).toLongLong());
        r.outgoing = q.value(1).toInt() != 0;
        r.peer = q.value(2).toString();
        r.remote = q.value(3).toString();
        r.name = q.value(4).toString();
        r.totalBytes = quint64(q.value(5).toLongLong());
        r.files = q.value(6).toUInt();
        r.manifestBytes = q.value(7).toUInt();
        r.manifestSha256 = q.value(8).toByteArray();
        r.manifest = q.value(9).toByteArray();
        r.source = q.value(10).toString();
        r.stamps = q.value(11).toByteArray();
        r.state = TransferState(q.value(12).toInt());
        r.done = quint64(q.value(13).toLongLong());
        r.session = q.value(14).toUInt();
        r.saved = q.value(15).toString();
        r.error = q.value(16).toString();
        r.timeMs = q.value(17).toLongLong();
        out.append(r);
    }
    return out;
}
