// The console's group commands and the per-member delivery lines of group messages.

#include "console.h"

namespace {

constexpr const char* Dim = MessageLine::Dim;
constexpr const char* Red = MessageLine::Red;
constexpr const char* Green = MessageLine::Green;
constexpr const char* Yellow = MessageLine::Yellow;

} // namespace

void Console::groupCommand(const QStringList& words)
{
    const QString sub = words.value(1).toLower();
    QString error;
    // A group's name may hold spaces ("team (2)", made unique here, or given in the window): NAME is every word
    // between the subcommand and the member.
    if (sub == u"add") {
        if (words.size() < 4)
            return refuse(tr("Usage: /group add NAME MEMBER"));
        const QString name = words.mid(2, words.size() - 3).join(u' ');
        if (!m_messenger.addToGroup(name, words.last(), &error))
            return refuse(error);
        print(paint(tr("Added %1 to %2.").arg(words.last(), name), Green));
    } else if (sub == u"leave") {
        if (words.size() < 3)
            return refuse(tr("Usage: /group leave NAME"));
        const QString name = words.mid(2).join(u' ');
        if (!m_messenger.leaveGroup(name, &error))
            return refuse(error);
        if (const GroupBook::Group* g = m_messenger.groups().find(name); g && m_partner == g->key())
            m_partner.clear();
        print(paint(tr("You left %1.").arg(name), Green));
    } else {
        if (words.size() < 3)
            return refuse(tr("Usage: /group NAME MEMBER...   /group add NAME MEMBER   /group leave NAME"));
        const QString key = m_messenger.createGroup(words[1], words.mid(2), &error);
        if (key.isEmpty())
            return refuse(error);
        m_partner = key;
        print(paint(tr("Made the group %1; now writing to it.").arg(key), Green));
    }
}

void Console::listGroups()
{
    const QList<const GroupBook::Group*> groups = m_messenger.groups().groups();
    if (groups.isEmpty())
        print(tr("No groups yet. Make one with /group NAME MEMBER..."));
    for (const GroupBook::Group* g : groups) {
        QStringList members;
        for (const Roster::Entry& e : g->roster.members()) {
            const QString name = e.endpoint.isEmpty() ? tr("you") : m_messenger.memberName(g->key(), e.endpoint);
            members.append(e.endpoint.isEmpty() ? name : name + QStringLiteral(" (") + e.endpoint + u')');
        }
        print(QStringLiteral("  %1  %2%3")
                  .arg(g->key(), members.join(QStringLiteral(", ")),
                       g->isActive() ? QString() : paint(tr("  (you left)"), Dim)));
    }
}

void Console::printGroupDelivery(qint64 id, MessageState state)
{
    if (state == MessageState::Sending || state == MessageState::Queued) {
        // A member's copy waits for it (offline, or not heard from yet): said once per member and message.
        QSet<QString>& told = m_waitingFor[id];
        QStringList waiting;
        for (const Messenger::MemberDelivery& d : m_messenger.groupDelivery(id))
            if (d.state == MessageState::Queued && !told.contains(d.member)) {
                told.insert(d.member);
                waiting.append(d.name);
            }
        if (!waiting.isEmpty())
            print(
                paint(tr("  (%1: waiting for %2)").arg(m_mine.value(id), waiting.join(QStringLiteral(", "))), Yellow));
        return;
    }
    m_waitingFor.remove(id);
    const QString group = m_mine.take(id);
    const QList<Messenger::MemberDelivery> members = m_messenger.groupDelivery(id);
    QStringList reached;
    QStringList missed;
    for (const Messenger::MemberDelivery& d : members) {
        const bool ok =
            d.state == MessageState::Delivered || d.state == MessageState::Read || d.state == MessageState::Sent;
        (ok ? reached : missed).append(d.name + QStringLiteral(" (") + d.member + u')');
    }
    const QString line = tr("  (%1: delivered to %2 of %3: %4)")
                             .arg(group)
                             .arg(reached.size())
                             .arg(members.size())
                             .arg(reached.join(QStringLiteral(", ")));
    print(paint(line, missed.isEmpty() ? Green : Yellow));
    if (!missed.isEmpty())
        print(paint(tr("  (could not deliver to %1: no answer)").arg(missed.join(QStringLiteral(", "))), Red));
    if (m_quitting && m_messenger.pendingCount() == 0)
        quit();
}

QString Console::groupLine(const Message& m, const QString& timeFormat, const QList<search::Span>& marks) const
{
    const GroupBook::Group* group = m.peer.startsWith(u'#') ? m_messenger.groups().find(m.peer) : nullptr;
    if (!group)
        return {};
    const auto ep = Endpoint::parse(m.remote);
    const QString name = m_messenger.memberName(m.peer, m.remote);
    return m_line.formatGroup(m, group->name, ep && !m_messenger.isContact(*ep) ? name + u'?' : name, timeFormat,
                              marks);
}
