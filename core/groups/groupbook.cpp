#include "groupbook.h"

#include "schema.h"

#include <QCoreApplication>
#include <QSqlError>
#include <QSqlQuery>

namespace {

QString tr(const char* text)
{
    return QCoreApplication::translate("GroupBook", text);
}

const QString DeliveryColumns = QStringLiteral("id, group_id, message, member, state, packet_no, parts");

} // namespace

GroupBook::GroupBook(History* history)
    : m_history(history)
{
}

bool GroupBook::exec(QSqlQuery& q)
{
    if (q.exec())
        return true;
    m_error = tr("the groups in %1 could not be written: %2").arg(m_history->path(), q.lastError().text());
    return false;
}

bool GroupBook::load(QString* error)
{
    m_groups.clear();
    QSqlQuery q(m_history->database());
    if (!q.exec(QStringLiteral("SELECT id, name, wire_name FROM groups"))) {
        *error = q.lastError().text();
        return false;
    }
    while (q.next()) {
        auto g = std::make_shared<Group>();
        g->id = q.value(0).toByteArray();
        g->name = q.value(1).toString();
        g->wireName = q.value(2).toString();
        m_groups.insert(g->id, g);
    }
    if (!q.exec(QStringLiteral("SELECT group_id, endpoint, name, clock, left FROM group_members"))) {
        *error = q.lastError().text();
        return false;
    }
    QHash<QByteArray, QList<Roster::Entry>> entries;
    while (q.next())
        entries[q.value(0).toByteArray()].append(
            {q.value(1).toString(), q.value(2).toString(), q.value(3).toULongLong(), q.value(4).toBool()});
    for (auto it = entries.cbegin(); it != entries.cend(); ++it)
        if (const auto g = m_groups.value(it.key()))
            g->roster = Roster(it.value());
    return true;
}

QList<const GroupBook::Group*> GroupBook::groups() const
{
    QList<const Group*> out;
    for (const auto& g : m_groups)
        out.append(g.get());
    std::sort(out.begin(), out.end(), [](const Group* a, const Group* b) { return a->name < b->name; });
    return out;
}

const GroupBook::Group* GroupBook::find(const QString& keyOrName) const
{
    const QString name = keyOrName.startsWith(u'#') ? keyOrName.mid(1) : keyOrName;
    for (const auto& g : m_groups)
        if (g->name == name)
            return g.get();
    for (const auto& g : m_groups)
        if (g->name.compare(name, Qt::CaseInsensitive) == 0)
            return g.get();
    return nullptr;
}

const GroupBook::Group* GroupBook::findId(const QByteArray& id) const
{
    return m_groups.value(id).get();
}

const GroupBook::Group* GroupBook::add(const QByteArray& id, const QString& name, const Roster& roster,
                                       const QStringList& taken, QString* error)
{
    if (m_groups.size() >= MaxGroups) {
        *error = tr("There are %1 groups already; leave some first.").arg(MaxGroups);
        return nullptr;
    }
    QString base = name.simplified();
    if (base.isEmpty())
        base = tr("group");
    QString unique = base;
    const auto used = [&](const QString& candidate) {
        return taken.contains(u'#' + candidate, Qt::CaseInsensitive) ||
               std::any_of(m_groups.cbegin(), m_groups.cend(),
                           [&](const auto& g) { return g->name.compare(candidate, Qt::CaseInsensitive) == 0; });
    };
    for (int n = 2; used(unique); ++n)
        unique = QStringLiteral("%1 (%2)").arg(base).arg(n);
    auto g = std::make_shared<Group>(Group{id, unique, name, roster});
    QSqlQuery q(m_history->database());
    q.prepare(QStringLiteral("INSERT INTO groups (id, name, wire_name) VALUES (?, ?, ?)"));
    q.addBindValue(id);
    q.addBindValue(unique);
    q.addBindValue(name);
    if (!m_history->beginWrite() || !exec(q)) {
        *error = m_error.isEmpty() ? m_history->error() : m_error;
        return nullptr;
    }
    m_groups.insert(id, g);
    if (!setRoster(id, roster)) {
        *error = m_error;
        return nullptr;
    }
    return g.get();
}

bool GroupBook::setRoster(const QByteArray& id, const Roster& roster)
{
    const auto g = m_groups.value(id);
    if (!g || !m_history->beginWrite())
        return false;
    g->roster = roster;
    QSqlQuery q(m_history->database());
    q.prepare(QStringLiteral("DELETE FROM group_members WHERE group_id = ?"));
    q.addBindValue(id);
    if (!exec(q))
        return false;
    q.prepare(
        QStringLiteral("INSERT INTO group_members (group_id, endpoint, name, clock, left) VALUES (?, ?, ?, ?, ?)"));
    for (const Roster::Entry& e : roster.entries()) {
        q.addBindValue(id);
        q.addBindValue(e.endpoint.isNull() ? QStringLiteral("") : e.endpoint); // NOT NULL: "" is this Pigeon
        q.addBindValue(e.name);
        q.addBindValue(e.clock);
        q.addBindValue(e.left);
        if (!exec(q))
            return false;
    }
    return true;
}

qint64 GroupBook::addDelivery(const QByteArray& group, qint64 message, const QString& member, MessageState state)
{
    if (!m_history->beginWrite())
        return 0;
    QSqlQuery q(m_history->database());
    q.prepare(QStringLiteral("INSERT INTO group_outbox (group_id, message, member, state) VALUES (?, ?, ?, ?)"));
    q.addBindValue(group);
    q.addBindValue(message);
    q.addBindValue(member);
    q.addBindValue(int(state));
    return exec(q) ? q.lastInsertId().toLongLong() : 0;
}

bool GroupBook::setDelivery(qint64 id, MessageState state, quint64 packetNo, int parts)
{
    if (!m_history->beginWrite())
        return false;
    QSqlQuery q(m_history->database());
    q.prepare(QStringLiteral("UPDATE group_outbox SET state = ?, packet_no = ?, parts = ? WHERE id = ?"));
    q.addBindValue(int(state));
    q.addBindValue(packetNo);
    q.addBindValue(parts);
    q.addBindValue(id);
    return exec(q);
}

bool GroupBook::setDeliveryState(qint64 id, MessageState state)
{
    if (!m_history->beginWrite())
        return false;
    QSqlQuery q(m_history->database());
    q.prepare(QStringLiteral("UPDATE group_outbox SET state = ? WHERE id = ?"));
    q.addBindValue(int(state));
    q.addBindValue(id);
    return exec(q);
}

GroupBook::Delivery GroupBook::readDelivery(const QSqlQuery& q) const
{
    return {q.value(0).toLongLong(),          q.value(1).toByteArray(), q.value(2).toLongLong(), q.value(3).toString(),
            MessageState(q.value(4).toInt()), q.value(5).toULongLong(), q.value(6).toInt()};
}

std::optional<GroupBook::Delivery> GroupBook::delivery(qint64 id)
{
    QSqlQuery q(m_history->database());
    q.prepare(QStringLiteral("SELECT %1 FROM group_outbox WHERE id = ?").arg(DeliveryColumns));
    q.addBindValue(id);
    if (!q.exec() || !q.next())
        return std::nullopt;
    return readDelivery(q);
}

QList<GroupBook::Delivery> GroupBook::deliveriesOf(qint64 message)
{
    QList<Delivery> out;
    QSqlQuery q(m_history->database());
    q.prepare(QStringLiteral("SELECT %1 FROM group_outbox WHERE message = ? ORDER BY member").arg(DeliveryColumns));
    q.addBindValue(message);
    if (q.exec())
        while (q.next())
            out.append(readDelivery(q));
    return out;
}

bool GroupBook::rosterPending(const QByteArray& group, const QString& member, bool orSending)
{
    QSqlQuery q(m_history->database());
    q.prepare(QStringLiteral("SELECT 1 FROM group_outbox WHERE state IN (?, ?) AND group_id = ? AND member = ? AND "
                             "message = 0 LIMIT 1"));
    q.addBindValue(int(MessageState::Queued));
    q.addBindValue(int(orSending ? MessageState::Sending : MessageState::Queued));
    q.addBindValue(group);
    q.addBindValue(member);
    return q.exec() && q.next();
}

QList<GroupBook::Delivery> GroupBook::unsent()
{
    QList<Delivery> out;
    QSqlQuery q(m_history->database());
    if (q.exec(QStringLiteral("SELECT %1 FROM group_outbox WHERE state IN (%2, %3) ORDER BY id")
                   .arg(DeliveryColumns)
                   .arg(int(MessageState::Queued))
                   .arg(int(MessageState::Sending))))
        while (q.next())
            out.append(readDelivery(q));
    return out;
}
