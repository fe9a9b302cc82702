// Messenger's group conversations (issue 12): making and changing groups, sending to every member through the
// normal delivery, and taking group datagrams from members only. roster.h says how the members' copies converge.

#include "grouppayload.h"
#include "messenger.h"
#include "systemline.h"

#include <QLoggingCategory>
#include <QNetworkInterface>
#include <QRandomGenerator>

Q_DECLARE_LOGGING_CATEGORY(lcMessenger)

namespace {

// How far back a packet number counts as a duplicate (as for messages from one peer, messenger.cpp).
constexpr qint64 DedupeWindowMs = 3600 * 1000;

// A stand-in for CommitBatch: a group delivery to start once its rows are committed.
Message deliveryJob(qint64 deliveryId)
{
    Message m;
    m.id = -deliveryId;
    return m;
}

} // namespace

bool Messenger::isLocal(const QString& endpoint) const
{
    const auto ep = Endpoint::parse(endpoint);
    const Endpoint local = m_transport->localEndpoint();
    if (!ep || ep->port != local.port)
        return false;
    if (ep->address.isEqual(local.address, QHostAddress::TolerantConversion))
        return true;
    if (local.address != QHostAddress::Any && local.address != QHostAddress::AnyIPv4 &&
        local.address != QHostAddress::AnyIPv6)
        return false;
    const auto addresses = QNetworkInterface::allAddresses();
    return std::any_of(addresses.cbegin(), addresses.cend(),
                       [&](const QHostAddress& a) { return a.isEqual(ep->address, QHostAddress::TolerantConversion); });
}

QSet<Endpoint> Messenger::groupMembers() const
{
    QSet<Endpoint> out;
    for (const GroupBook::Group* g : m_groups.groups())
        if (g->isActive())
            for (const Roster::Entry& e : g->roster.members())
                if (const auto ep = Endpoint::parse(e.endpoint))
                    out.insert(*ep);
    return out;
}

QString Messenger::memberName(const QString& group, const QString& endpoint) const
{
    if (endpoint.isEmpty())
        return m_identity.nick;
    if (const auto ep = Endpoint::parse(endpoint); ep && m_directory.isContact(*ep))
        return m_directory.peerFor(*ep);
    if (const GroupBook::Group* g = m_groups.find(group))
        if (const Roster::Entry* e = g->roster.find(endpoint); e && !e->name.isEmpty())
            return e->name;
    return endpoint;
}

QString Messenger::createGroup(const QString& name, const QStringList& members, QString* error)
{
    const auto fail = [error](const QString& why) {
        if (error)
            *error = why;
        return QString();
    };
    // "#team" names the group "team", as /to takes it (its conversation is "#team", not "##team").
    QString plain = name.trimmed();
    while (plain.startsWith(u'#'))
        plain = plain.mid(1).trimmed();
    if (plain.isEmpty())
        return fail(tr("A group needs a name."));
    // What every member sees: the name goes out whole (a UTF-16 unit is at most 3 bytes of UTF-8).
    static_assert(MaxGroupNameChars * 3 <= grouppayload::MaxNameBytes);
    if (plain.size() > MaxGroupNameChars)
        return fail(tr("A group's name is at most %1 characters.").arg(MaxGroupNameChars));
    if (members.isEmpty())
        return fail(tr("A group needs at least one member besides you."));
    Roster roster;
    roster.add(QString(), m_identity.nick);
    for (const QString& member : members) {
        const Route route = m_directory.route(member);
        if (!route.known || !route.endpoint)
            return fail(tr("There is no contact named \"%1\" (or its address is not known yet).").arg(member));
        if (m_own.contains(*route.endpoint))
            return fail(ownMemberRefusal(*route.endpoint));
        QString why;
        if (!roster.add(route.endpoint->toString(), route.peer, &why) && !roster.isMember(route.endpoint->toString()))
            return fail(why);
    }
    QByteArray id(grouppayload::IdBytes, Qt::Uninitialized);
    QRandomGenerator::system()->fillRange(reinterpret_cast<quint32*>(id.data()), int(id.size() / 4));
    QStringList taken;
    for (const Contact& c : m_contacts->contacts())
        taken.append(c.name);
    QString why;
    const GroupBook::Group* group = m_groups.add(id, plain, roster, taken, &why);
    if (!group)
        return fail(why);
    QStringList names;
    for (const Roster::Entry& e : group->roster.members())
        if (!e.endpoint.isEmpty())
            names.append(memberName(group->key(), e.endpoint));
    groupNote(*group, QT_TR_NOOP("You made the group %1 with %2."), {{group->name}, names});
    queueRoster(*group, group->roster.members());
    Q_EMIT groupsChanged();
    return group->key();
}

bool Messenger::addToGroup(const QString& groupName, const QString& member, QString* error)
{
    const auto fail = [error](const QString& why) {
        if (error)
            *error = why;
        return false;
    };
    const GroupBook::Group* group = m_groups.find(groupName);
    if (!group || !group->isActive())
        return fail(tr("You are in no group named \"%1\"; /groups lists them.").arg(groupName));
    const Route route = m_directory.route(member);
    if (!route.known || !route.endpoint)
        return fail(tr("There is no contact named \"%1\" (or its address is not known yet).").arg(member));
    if (m_own.contains(*route.endpoint))
        return fail(ownMemberRefusal(*route.endpoint));
    Roster roster = group->roster;
    QString why;
    if (!roster.add(route.endpoint->toString(), route.peer, &why))
        return fail(why);
    if (!m_groups.setRoster(group->id, roster))
        return fail(m_groups.error());
    groupNote(*group, QT_TR_NOOP("You added %1."), {{route.peer}});
    queueRoster(*group, group->roster.members());
    Q_EMIT groupsChanged();
    return true;
}

QString Messenger::ownMemberRefusal(const Endpoint& member) const
{
    return tr("%1 is this Pigeon itself: you are a member of your groups already.").arg(member.toString());
}

bool Messenger::leaveGroup(const QString& groupName, QString* error)
{
    const GroupBook::Group* group = m_groups.find(groupName);
    if (!group || !group->isActive()) {
        if (error)
            *error = tr("You are in no group named \"%1\"; /groups lists them.").arg(groupName);
        return false;
    }
    const QList<Roster::Entry> before = group->roster.members();
    Roster roster = group->roster;
    roster.leave(QString());
    if (!m_groups.setRoster(group->id, roster)) {
        if (error)
            *error = m_groups.error();
        return false;
    }
    groupNote(*group, QT_TR_NOOP("You left the group."));
    queueRoster(*group, before);
    Q_EMIT groupsChanged();
    return true;
}

void Messenger::queueRoster(const GroupBook::Group& group, const QList<Roster::Entry>& members, bool exchange)
{
    for (const Roster::Entry& e : members) {
        if (e.endpoint.isEmpty() || m_groups.rosterPending(group.id, e.endpoint, exchange))
            continue;
        if (const qint64 id = m_groups.addDelivery(group.id, 0, e.endpoint, MessageState::Sending))
            m_batch.transmit(deliveryJob(id));
    }
}

void Messenger::groupNote(const GroupBook::Group& group, const char* source, const QList<QStringList>& arguments)
{
    Message m;
    m.peer = group.key();
    m.direction = Direction::Incoming;
    m.state = MessageState::Received;
    m.text = systemline::make(staticMetaObject.className(), source, arguments);
    m.isSystem = true;
    if (m_history->append(m))
        m_batch.announce(m);
}

qint64 Messenger::sendToGroup(const GroupBook::Group& group, const QString& text, QString* error)
{
    const auto fail = [error](const QString& why) -> qint64 {
        if (error)
            *error = why;
        return 0;
    };
    if (!group.isActive())
        return fail(tr("You left the group %1.").arg(group.name));
    QList<Roster::Entry> others = group.roster.members();
    others.removeIf([](const Roster::Entry& e) { return e.endpoint.isEmpty(); });
    if (others.isEmpty())
        return fail(tr("No one else is in the group %1.").arg(group.name));
    if (text.toUtf8().size() > fragment::MaxMessageBytes)
        return fail(tr("The message is longer than 1 MiB."));
    Message m;
    m.peer = group.key();
    m.direction = Direction::Outgoing;
    m.text = text;
    m.state = MessageState::Sending;
    if (!m_history->append(m))
        return fail(m_history->error());
    for (const Roster::Entry& e : std::as_const(others))
        if (const qint64 id = m_groups.addDelivery(group.id, m.id, e.endpoint, MessageState::Sending))
            m_batch.transmit(deliveryJob(id));
    Q_EMIT messageAdded(m);
    return m.id;
}

bool Messenger::retryGroup(const Message& message, QString* error)
{
    bool any = false;
    for (const GroupBook::Delivery& d : m_groups.deliveriesOf(message.id)) {
        if (d.state != MessageState::Failed)
            continue;
        if (!m_groups.setDeliveryState(d.id, MessageState::Sending)) {
            if (error)
                *error = m_groups.error();
            return false;
        }
        m_batch.transmit(deliveryJob(d.id));
        any = true;
    }
    if (any) {
        m_history->setState(message.id, MessageState::Sending);
        Q_EMIT deliveryChanged(message.id, MessageState::Sending);
    }
    return true;
}

void Messenger::transmitGroup(qint64 deliveryId)
{
    if (m_delivery.contains(-deliveryId))
        return;
    const auto d = m_groups.delivery(deliveryId);
    if (!d || (d->state != MessageState::Sending && d->state != MessageState::Queued))
        return;
    const GroupBook::Group* group = m_groups.findId(d->group);
    const auto to = Endpoint::parse(d->member);
    const auto text = d->message ? m_history->message(d->message) : std::nullopt;
    if (!group || !to || (d->message && !text)) {
        setGroupDelivery(deliveryId, MessageState::Failed);
        return;
    }
    const Route route = m_directory.route(m_directory.peerFor(*to));
    const PeerLink* l = m_directory.find(*to);
    // A plain-text contact, or a member that wrote plain text (a stranger at a port that is not IPMsg's is not yet
    // known to be one: it is greeted below).
    if ((route.isContact && route.protocol == Protocol::PlainText) || (l && !l->speaksIpMsg)) {
        // A plain-text member gets the text, as IPMsg members do; nothing of the roster.
        const bool ok =
            !text ||
            m_transport->send(textcodec::encode(grouppayload::ipmsgText(group->name, text->text), route.encoding), *to);
        setGroupDelivery(deliveryId, ok ? MessageState::Sent : MessageState::Failed);
        return;
    }
    // Whether it is a Pigeon decides what it gets, so a member not heard from yet is greeted first and its
    // deliveries wait for its answer, as for one that is offline.
    if (!l || l->presence == Presence::Offline || l->version.isEmpty()) {
        if (!l || l->presence != Presence::Offline || !l->greeted)
            greet(*to);
        setGroupDelivery(deliveryId, MessageState::Queued);
        return;
    }
    if (!l->greeted)
        greet(*to);
    QList<QByteArray> payloads;
    quint32 command = 0;
    bool fragmented = false;
    if (route.isPigeon) {
        grouppayload::Payload p;
        p.id = group->id;
        p.name = group->wireName;
        p.clock = group->roster.clock();
        if (text) {
            p.kind = grouppayload::Kind::Text;
            p.text = text->text;
        } else {
            p.kind = grouppayload::Kind::Roster;
            p.members = group->roster.entries();
        }
        const QByteArray bytes = grouppayload::encode(p);
        // Parts are shorter when they may be sealed, so that a sealed one stays under 1 280 bytes too.
        fragmented = bytes.size() > partBytes();
        payloads = fragmented ? fragment::split(bytes, partBytes()) : QList<QByteArray>{bytes};
        command = (fragmented ? ipmsg::PigeonGroupPart : ipmsg::PigeonGroup) | ipmsg::SendCheckOpt;
    } else if (text) {
        // IP Messenger, iptux, FeiQ: an ordinary message to several recipients, the group's name in front.
        payloads = textcodec::split(grouppayload::ipmsgText(group->name, text->text), route.encoding,
                                    PeerDirectory::IpMsgPartBytes);
        command = ipmsg::SendMsg | ipmsg::SendCheckOpt | ipmsg::MulticastOpt |
                  (route.encoding == TextEncoding::Utf8 ? ipmsg::Utf8Opt : 0);
    } else {
        // Rosters are for Pigeons only: an IPMsg member knows nothing of groups.
        setGroupDelivery(deliveryId, MessageState::Sent);
        return;
    }
    quint64 first = d->packetNo;
    // The same numbers again only for the same cut to a Pigeon (it recognises the duplicate); else fresh ones.
    if (first == 0 || d->parts != payloads.size() || !route.isPigeon)
        first = m_numbers.reserve(int(payloads.size()));
    const QList<Delivery::Part> parts = packParts(payloads, first, command, fragmented);
    m_groups.setDelivery(deliveryId, MessageState::Sending, first, int(payloads.size()));
    m_delivery.add(-deliveryId, *to, parts, windowFor(*to), fragmented);
    wakeTimer();
}

void Messenger::setGroupDelivery(qint64 deliveryId, MessageState state)
{
    const auto d = m_groups.delivery(deliveryId);
    if (!d)
        return;
    // A roster change never gives up: it waits for the member like a queued message, so that it converges.
    if (state == MessageState::Failed && d->message == 0)
        state = MessageState::Queued;
    if (state == MessageState::Queued)
        if (const auto ep = Endpoint::parse(d->member))
            m_groupQueued.insert(*ep);
    m_groups.setDeliveryState(deliveryId, state);
    if (d->message == 0)
        return;
    // The message's own state sums up its members': on its way while any is, failed if any failed, else delivered.
    bool pending = false;
    bool failed = false;
    bool allRead = true;
    for (const GroupBook::Delivery& other : m_groups.deliveriesOf(d->message)) {
        pending |= other.state == MessageState::Sending || other.state == MessageState::Queued;
        failed |= other.state == MessageState::Failed;
        allRead &= other.state == MessageState::Read;
    }
    const MessageState overall = pending   ? MessageState::Sending
                                 : failed  ? MessageState::Failed
                                 : allRead ? MessageState::Read
                                           : MessageState::Delivered;
    m_history->setState(d->message, overall);
    Q_EMIT deliveryChanged(d->message, overall);
}

void Messenger::flushGroupQueue(const Endpoint& to)
{
    m_groupQueued.remove(to);
    const QString member = to.toString();
    for (const GroupBook::Delivery& d : m_groups.unsent())
        if (d.member == member && d.state == MessageState::Queued)
            transmitGroup(d.id);
}

void Messenger::resumeGroups()
{
    for (const GroupBook::Delivery& d : m_groups.unsent()) {
        if (d.state == MessageState::Sending)
            transmitGroup(d.id);
        else if (const auto ep = Endpoint::parse(d.member))
            m_groupQueued.insert(*ep);
    }
}

QList<Messenger::MemberDelivery> Messenger::groupDelivery(qint64 messageId)
{
    QList<MemberDelivery> out;
    const auto m = m_history->message(messageId);
    if (!m)
        return out;
    for (const GroupBook::Delivery& d : m_groups.deliveriesOf(messageId))
        out.append({d.member, memberName(m->peer, d.member), d.state});
    return out;
}

void Messenger::handleGroup(const ipmsg::Packet& p, const Endpoint& from)
{
    if (takeGroupPayload(p.extension, p.packetNo, from))
        m_batch.acknowledge(p.packetNo, from);
}

void Messenger::handleGroupPart(const ipmsg::Packet& p, const Endpoint& from)
{
    const auto part = decodePart(p, from);
    if (!part)
        return;
    const auto whole = reassemble(p, from, *part);
    if (whole && takeGroupPayload(*whole, part->messageNo, from)) {
        m_batch.acknowledge(p.packetNo, from);
        if (part->index != 0)
            m_batch.acknowledge(part->messageNo, from);
    }
}

bool Messenger::takeGroupPayload(const QByteArray& bytes, quint64 messageNo, const Endpoint& from)
{
    QString why;
    const auto payload = grouppayload::decode(bytes, &why);
    const auto refuse = [&](const char* reason) {
        ++m_stats.dropped;
        qCDebug(lcMessenger) << "refused a group datagram from" << from.toString() << ":" << reason << why;
        return false;
    };
    if (!payload)
        return refuse("undecodable:");
    const QString sender = link(from).address;
    const GroupBook::Group* group = m_groups.findId(payload->id);
    // Only a member may speak for a group: a datagram from any other address and port is refused, whatever it says.
    // (A roster may also come from one that just left: it says so.)
    if (group && !group->roster.isMember(sender) &&
        (payload->kind == grouppayload::Kind::Text || !group->roster.find(sender)))
        return refuse("not a member");

    if (payload->kind == grouppayload::Kind::Text) {
        if (!group)
            return refuse("unknown group");
        if (!group->isActive())
            return true; // we left; the sender will hear so with our roster
        const qint64 since = m_now() - DedupeWindowMs;
        if (const qint64 seen = m_history->findIncoming(sender, messageNo, since);
            seen && m_history->message(seen)->text == payload->text) {
            ++m_stats.duplicates;
            return true;
        }
        Message m;
        m.peer = group->key();
        m.direction = Direction::Incoming;
        m.state = MessageState::Received;
        m.text = payload->text;
        m.remote = sender;
        m.packetNo = messageNo;
        m.unread = true;
        m.sortKey = m_history->sortKeyBefore(sender, messageNo, since);
        if (!m_history->append(m)) {
            ++m_stats.dropped;
            return false;
        }
        m_batch.announce(m);
        // The sender holds another version of the roster: ours goes to it, and it answers with its own if it has
        // something we lack (below), so that both end with the same.
        if (payload->clock != group->roster.clock())
            queueRoster(*group, {Roster::Entry{sender, {}, 0, false}}, true);
        return true;
    }

    // A roster: in our terms, the sender's own entry ("-") is its address, and ours is the empty endpoint.
    QList<Roster::Entry> entries = payload->members;
    for (Roster::Entry& e : entries)
        e.endpoint = e.endpoint.isEmpty() ? sender : isLocal(e.endpoint) ? QString() : e.endpoint;
    const Roster theirs(entries);
    if (!group) {
        // An invitation: the sender and this Pigeon must both be members of what it sends.
        if (!theirs.isMember(sender) || !theirs.isMember(QString()))
            return refuse("an invitation that does not list its sender and us");
        if (!m_directory.isContact(from)) {
            const auto groups = m_groups.groups();
            const auto invited = std::count_if(groups.cbegin(), groups.cend(), [&](const GroupBook::Group* g) {
                return g->roster.find(sender) != nullptr;
            });
            if (invited >= GroupBook::MaxInvitesPerStranger)
                return refuse("a stranger's invitation beyond its limit");
        }
        if (!admitSender(from))
            return false;
        QStringList taken;
        for (const Contact& c : m_contacts->contacts())
            taken.append(c.name);
        const GroupBook::Group* added = m_groups.add(payload->id, payload->name, theirs, taken, &why);
        if (!added) {
            Q_EMIT problem(tr("An invitation to the group %1 from %2 was refused: %3")
                               .arg(payload->name, m_directory.peerFor(from), why));
            return refuse("cannot add the group:");
        }
        groupNote(*added, QT_TR_NOOP("%1 added you to the group %2."),
                  {{memberName(added->key(), sender)}, {added->name}});
        Q_EMIT groupsChanged();
        return true;
    }
    Roster merged = group->roster;
    const Roster before = group->roster;
    if (merged.merge(theirs.entries())) {
        if (!m_groups.setRoster(group->id, merged))
            return false;
        for (const Roster::Entry& e : merged.entries()) {
            const Roster::Entry* old = before.find(e.endpoint);
            const QString name = memberName(group->key(), e.endpoint);
            if (!e.left && (!old || old->left))
                groupNote(*group, e.endpoint.isEmpty() ? QT_TR_NOOP("You were added again.") : QT_TR_NOOP("%1 joined."),
                          {{name}});
            else if (e.left && old && !old->left)
                groupNote(*group, QT_TR_NOOP("%1 left."), {{name}});
        }
        Q_EMIT groupsChanged();
    }
    if (merged.isAheadOf(theirs.entries()))
        queueRoster(*group, {Roster::Entry{sender, {}, 0, false}}, true);
    return true;
}
