#include "messenger.h"

#include <QDateTime>
#include <QHostInfo>
#include <QLoggingCategory>
#include <QNetworkInterface>
#include <QSysInfo>

Q_LOGGING_CATEGORY(lcMessenger, "pigeon.messenger", QtWarningMsg)

namespace {

// Text bytes per SENDMSG for IPMsg clients: iptux reads at most 8 192 bytes of a datagram, header included.
constexpr qsizetype IpMsgPartBytes = 8000;
// Up to this many UTF-8 bytes go to a Pigeon as one SENDMSG; longer text as parts (fragment.h).
constexpr qsizetype PigeonSingleBytes = fragment::PartBytes;
constexpr qsizetype PlainMaxBytes = 65507;
// How far back a packet number counts as a duplicate: peers number packets by time, so old numbers come back only
// after a restart that outran the clock.
constexpr qint64 DedupeWindowMs = 3600 * 1000;
constexpr int MaxLinks = 4096;
// Bound on the numbers remembered per peer after its counter started again.
constexpr qsizetype MaxNumbersSinceRenumbering = 65'536;
// Packet numbers from this on are seconds since 1970 (IP Messenger, FeiQ, Pigeon) and never go back at a restart;
// below it they come from a counter that starts again at 1 (iptux).
constexpr quint64 ClockNumbers = 1'000'000'000;
constexpr qint64 StrangerWindowMs = 3600 * 1000;
// Messages that may wait for one offline peer: the queue lives in history, this keeps a stuck one from growing forever.
constexpr qint64 MaxQueuedPerPeer = 1000;

qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

} // namespace

struct Messenger::PeerLink {
    Endpoint endpoint;
    QString address; // endpoint.toString(), made once: every message to or from it carries this text
    QByteArray version;
    QString nick;
    Presence presence = Presence::Unknown;
    bool speaksIpMsg = true;
    bool greeted = false;
    qint64 lastHeardMs = -1;
    // Its packet numbers. A counter that starts again at a restart, as iptux's does, makes the numbers of messages
    // stored before no guide to duplicates or order: after that, only numbers seen since count.
    quint64 highestNo = 0;
    qint64 renumberedMs = 0; // 0: never
    QSet<quint64> numbersSinceRenumbering;
};

Identity Identity::fromSystem(const QString& nick)
{
    Identity id;
    QByteArray user = qgetenv("USER");
    if (user.isEmpty())
        user = qgetenv("USERNAME");
    if (user.isEmpty())
        user = "pigeon";
    id.user = user.left(32);
    id.host = QSysInfo::machineHostName().toUtf8().left(32);
    if (id.host.isEmpty())
        id.host = "localhost";
    id.nick = nick.isEmpty() ? QString::fromUtf8(id.user) : nick;
    return id;
}

Messenger::Messenger(Identity identity, ContactBook* contacts, History* history, Transport* transport, QObject* parent)
    : QObject(parent)
    , m_identity(std::move(identity))
    , m_contacts(contacts)
    , m_history(history)
    , m_transport(transport)
    , m_delivery(nowMs, [this](const QByteArray& datagram, const Endpoint& to) { m_transport->send(datagram, to); })
{
    m_clock.start();
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, &Messenger::onTimer);
    connect(&m_probe, &QTimer::timeout, this, &Messenger::probeQueuedPeers);
    m_probe.start(int(m_timing.probeIntervalMs));
    setReassemblyLimits({});
    connect(&m_expiry, &QTimer::timeout, this, [this] {
        if (const int dropped = m_reassembler.expire(nowMs()))
            qCDebug(lcMessenger) << "dropped" << dropped << "half-received long messages after a timeout";
        if (m_reassembler.pending() == 0)
            m_expiry.stop();
    });
    connect(m_transport, &Transport::received, this, &Messenger::onDatagram);
    connect(m_history, &History::committed, this, &Messenger::onCommitted);
    connect(m_history, &History::failed, this, [this](const QString& error) {
        if (!m_history->hasUncommitted()) {
            // The batch was rolled back: nothing in it may be acknowledged or announced. Senders will retransmit.
            m_acksDue.clear();
            m_announce.clear();
            for (const Message& m : std::exchange(m_toTransmit, {}))
                Q_EMIT deliveryChanged(m.id, MessageState::Failed);
        }
        Q_EMIT problem(error);
    });
    connect(m_contacts, &ContactBook::contactAdded, this, [this](const Contact& contact) {
        if (const auto ep = contactEndpoint(contact))
            m_history->renamePeer(ep->toString(), contact.name);
        rebuildContactIndex();
        resolve(contact);
        if (const auto ep = contactEndpoint(contact); ep && contact.protocol == Protocol::IpMsg) {
            link(*ep).greeted = true;
            sendPacket(ipmsg::BrEntry | ipmsg::CapUtf8Opt,
                       ipmsg::buildEntry(m_identity.nick, m_identity.group, m_identity.user, m_identity.host), *ep);
        }
    });
    connect(m_contacts, &ContactBook::contactChanged, this, [this](const QString& oldName, const Contact& contact) {
        if (oldName != contact.name)
            m_history->renamePeer(oldName, contact.name);
        rebuildContactIndex();
        resolve(contact);
    });
    connect(m_contacts, &ContactBook::contactRemoved, this, [this] { rebuildContactIndex(); });
    connect(m_contacts, &QAbstractItemModel::modelReset, this, [this] { rebuildContactIndex(); });
}

Messenger::~Messenger()
{
    qDeleteAll(m_links);
}

QByteArray Messenger::versionField() const
{
    return QByteArrayLiteral("1_pigeon " PIGEON_VERSION);
}

void Messenger::start()
{
    m_numbers = ipmsg::PacketNumbers(m_history->lastPacketNo());
    rebuildContactIndex();
    const QByteArray entry = ipmsg::buildEntry(m_identity.nick, m_identity.group, m_identity.user, m_identity.host);
    for (const Contact& c : m_contacts->contacts()) {
        resolve(c);
        if (c.protocol != Protocol::IpMsg)
            continue;
        if (const auto ep = contactEndpoint(c)) {
            link(*ep).greeted = true;
            sendPacket(ipmsg::BrEntry | ipmsg::CapUtf8Opt, entry, *ep);
        }
    }
    if (m_broadcast)
        announce(ipmsg::BrEntry | ipmsg::CapUtf8Opt);
    // Messages that were on their way when Pigeon stopped go out again under the same numbers, so a peer that got
    // them already recognises the duplicates. Queued ones wait for their peer.
    for (const Message& m : m_history->unsent()) {
        if (m.state == MessageState::Sending)
            transmit(m);
        else
            m_queuedPeers.insert(m.peer);
    }
}

void Messenger::announce(quint32 command)
{
    const quint16 port = m_transport->localEndpoint().port;
    const QByteArray entry = ipmsg::buildEntry(m_identity.nick, m_identity.group, m_identity.user, m_identity.host);
    for (const QHostAddress& address : broadcastAddresses())
        sendPacket(command, entry, Endpoint{address, port});
}

QList<QHostAddress> Messenger::broadcastAddresses()
{
    QList<QHostAddress> out;
    const auto interfaces = QNetworkInterface::allInterfaces();
    for (const QNetworkInterface& i : interfaces) {
        const auto flags = i.flags();
        if (!flags.testFlag(QNetworkInterface::IsUp) || !flags.testFlag(QNetworkInterface::IsRunning) ||
            !flags.testFlag(QNetworkInterface::CanBroadcast) || flags.testFlag(QNetworkInterface::IsLoopBack))
            continue;
        const auto entries = i.addressEntries();
        for (const QNetworkAddressEntry& e : entries)
            if (!e.broadcast().isNull() && e.ip().protocol() == QAbstractSocket::IPv4Protocol &&
                !out.contains(e.broadcast()))
                out.append(e.broadcast());
    }
    return out;
}

void Messenger::stop()
{
    m_history->commit();
    if (m_broadcast)
        announce(ipmsg::BrExit);
    for (PeerLink* l : std::as_const(m_links))
        if (l->greeted && l->speaksIpMsg)
            sendPacket(ipmsg::BrExit,
                       ipmsg::buildEntry(m_identity.nick, m_identity.group, m_identity.user, m_identity.host),
                       l->endpoint);
}

qint64 Messenger::send(const QString& peer, const QString& text, QString* error)
{
    const auto fail = [error](const QString& why) -> qint64 {
        if (error)
            *error = why;
        return 0;
    };
    if (text.trimmed().isEmpty())
        return fail(tr("An empty message is not sent."));
    Protocol protocol = Protocol::IpMsg;
    TextEncoding encoding = TextEncoding::Utf8;
    std::optional<Endpoint> to;
    QString key = peer;
    if (const auto contact = m_contacts->find(peer)) {
        key = contact->name;
        protocol = contact->protocol;
        encoding = contact->encoding;
        to = contactEndpoint(*contact);
        if (!to)
            resolve(*contact);
    } else if (const auto ep = Endpoint::parse(peer)) {
        to = ep;
        key = ep->toString();
        const PeerLink* l = m_links.value(*ep);
        protocol = (l ? l->speaksIpMsg : ep->port == ipmsg::DefaultPort) ? Protocol::IpMsg : Protocol::PlainText;
    } else {
        return fail(tr("There is no contact named \"%1\".").arg(peer));
    }

    Message m;
    m.peer = key;
    m.direction = Direction::Outgoing;
    m.text = text;
    m.remote = to ? to->toString() : QString();
    if (protocol == Protocol::PlainText) {
        if (!to)
            return fail(tr("The address of %1 is not known yet.").arg(key));
        if (textcodec::encode(text, encoding).size() > PlainMaxBytes)
            return fail(tr("The message is longer than one datagram can carry (%1 bytes).").arg(PlainMaxBytes));
        m.state = MessageState::Sending;
    } else {
        const QByteArray utf8 = text.toUtf8();
        if (utf8.size() > fragment::MaxMessageBytes)
            return fail(tr("The message is longer than 1 MiB."));
        m.fragmented = to && isPigeon(*to) && utf8.size() > PigeonSingleBytes;
        m.parts =
            int(m.fragmented ? fragment::split(utf8).size() : textcodec::split(text, encoding, IpMsgPartBytes).size());
        const PeerLink* l = to ? m_links.value(*to) : nullptr;
        const bool offline = !to || (l && l->presence == Presence::Offline);
        m.state = offline ? MessageState::Queued : MessageState::Sending;
        if (!offline)
            m.packetNo = m_numbers.reserve(m.parts);
        else if (m_history->queuedCount(key) >= MaxQueuedPerPeer)
            return fail(tr("%1 is offline and %2 messages already wait for them; send more when they are back.")
                            .arg(key)
                            .arg(MaxQueuedPerPeer));
    }
    if (!m_history->append(m))
        return fail(m_history->error());
    if (m.state == MessageState::Sending)
        m_toTransmit.append(m);
    else
        m_queuedPeers.insert(m.peer);
    Q_EMIT messageAdded(m);
    return m.id;
}

bool Messenger::retry(qint64 id, QString* error)
{
    const auto m = m_history->message(id);
    if (!m || m->direction != Direction::Outgoing || m->state != MessageState::Failed) {
        if (error)
            *error = tr("Only a message that failed can be sent again.");
        return false;
    }
    if (m_delivery.contains(id))
        return true;
    Message again = *m;
    // A Pigeon recognises the same numbers as a duplicate; other IPMsg clients drop old numbers, so they get new ones.
    const auto ep = Endpoint::parse(again.remote);
    if (!ep || !isPigeon(*ep))
        again.packetNo = m_numbers.reserve(again.parts);
    again.state = MessageState::Sending;
    if (!m_history->resend(id, again.packetNo, again.parts)) {
        if (error)
            *error = m_history->error();
        return false;
    }
    Q_EMIT deliveryChanged(id, MessageState::Sending);
    m_toTransmit.append(again);
    return true;
}

void Messenger::markRead(const QString& peer)
{
    const QList<Message> receipts = m_history->markRead(peer);
    for (const Message& m : receipts)
        if (const auto ep = Endpoint::parse(m.remote))
            sendPacket(ipmsg::ReadMsg, QByteArray::number(m.packetNo), *ep);
}

void Messenger::setTiming(const Timing& timing)
{
    m_timing = timing;
    m_delivery.setTiming(timing);
    m_probe.start(int(m_timing.probeIntervalMs));
}

void Messenger::probeQueuedPeers()
{
    // IP Messenger has no keepalive: a contact that went offline during a burst of loss is silent until it writes or
    // restarts. Greeting it again lets its answer (ANSENTRY) release the queue. Only contacts, only with a queue.
    const QByteArray entry = ipmsg::buildEntry(m_identity.nick, m_identity.group, m_identity.user, m_identity.host);
    for (const QString& peer : std::as_const(m_queuedPeers)) {
        const auto contact = m_contacts->find(peer);
        if (!contact || contact->protocol != Protocol::IpMsg)
            continue;
        if (const auto ep = contactEndpoint(*contact); ep && presence(peer) != Presence::Online)
            sendPacket(ipmsg::BrEntry | ipmsg::CapUtf8Opt, entry, *ep);
    }
}

void Messenger::flushQueue(const QString& peer)
{
    if (!m_queuedPeers.remove(peer))
        return;
    for (const Message& m : m_history->unsent()) {
        if (m.peer != peer || m.state != MessageState::Queued || m_delivery.contains(m.id))
            continue;
        Message again = m;
        again.state = MessageState::Sending;
        // Never sent: fresh numbers, above anything the peer saw from us meanwhile.
        again.packetNo = m_numbers.reserve(again.parts);
        const auto contact = m_contacts->find(peer);
        if (const auto ep = contact ? contactEndpoint(*contact) : Endpoint::parse(peer))
            again.remote = ep->toString();
        if (m_history->resend(again.id, again.packetNo, again.parts)) {
            Q_EMIT deliveryChanged(again.id, MessageState::Sending);
            m_toTransmit.append(again);
        }
    }
}

void Messenger::transmit(const Message& m)
{
    if (m_delivery.contains(m.id))
        return;
    Protocol protocol = Protocol::IpMsg;
    TextEncoding encoding = TextEncoding::Utf8;
    std::optional<Endpoint> to = Endpoint::parse(m.remote);
    if (const auto contact = m_contacts->find(m.peer)) {
        protocol = contact->protocol;
        encoding = contact->encoding;
        if (const auto ep = contactEndpoint(*contact))
            to = ep;
    } else if (to) {
        const PeerLink* l = m_links.value(*to);
        protocol = (l ? l->speaksIpMsg : to->port == ipmsg::DefaultPort) ? Protocol::IpMsg : Protocol::PlainText;
    }
    if (!to) {
        finishMessage(m.id, MessageState::Failed);
        Q_EMIT problem(tr("Cannot send to %1: its address is not known.").arg(m.peer));
        return;
    }
    if (protocol == Protocol::PlainText) {
        const bool ok = m_transport->send(textcodec::encode(m.text, encoding), *to);
        if (!ok)
            Q_EMIT problem(m_transport->errorString());
        m_history->setState(m.id, ok ? MessageState::Sent : MessageState::Failed);
        Q_EMIT deliveryChanged(m.id, ok ? MessageState::Sent : MessageState::Failed);
        return;
    }

    PeerLink& l = link(*to);
    if (!l.greeted) {
        // iptux forgets nothing about packet numbers until it hears an entry packet: greet before talking.
        l.greeted = true;
        sendPacket(ipmsg::BrEntry | ipmsg::CapUtf8Opt,
                   ipmsg::buildEntry(m_identity.nick, m_identity.group, m_identity.user, m_identity.host), *to);
    }
    QList<QByteArray> payloads;
    quint32 command = 0;
    if (m.fragmented) {
        payloads = fragment::split(m.text.toUtf8());
        command = ipmsg::PigeonFragment | ipmsg::SendCheckOpt | ipmsg::Utf8Opt;
    } else {
        payloads = textcodec::split(m.text, encoding, IpMsgPartBytes);
        command = ipmsg::SendMsg | ipmsg::SendCheckOpt | ipmsg::ReadCheckOpt |
                  (encoding == TextEncoding::Utf8 ? ipmsg::Utf8Opt : 0);
    }
    quint64 first = m.packetNo;
    if (payloads.size() != m.parts || first == 0) {
        first = m_numbers.reserve(int(payloads.size()));
        m_history->resend(m.id, first, int(payloads.size()));
    }
    QList<Delivery::Part> parts;
    parts.reserve(payloads.size());
    for (qsizetype i = 0; i < payloads.size(); ++i) {
        ipmsg::Packet p;
        p.version = versionField();
        p.packetNo = first + quint64(i);
        p.user = m_identity.user;
        p.host = m_identity.host;
        p.command = command;
        p.extension = m.fragmented ? fragment::encode({first, int(i), int(payloads.size()), payloads[i]}) : payloads[i];
        parts.append({p.packetNo, ipmsg::encode(p)});
    }
    // The receiver acks part 0 only with the whole message: it goes last, so that its retries wait for little.
    m_delivery.add(m.id, *to, parts, windowFor(*to), m.fragmented);
    wakeTimer();
}

int Messenger::windowFor(const Endpoint& to) const
{
    return isPigeon(to) ? Delivery::PigeonWindow : Delivery::IpMsgWindow;
}

void Messenger::wakeTimer()
{
    if (!m_timer.isActive())
        armTimer();
}

void Messenger::armTimer()
{
    const qint64 due = m_delivery.nextDueMs();
    if (due < 0) {
        m_timer.stop();
        return;
    }
    m_timer.start(int(std::clamp<qint64>(due - nowMs(), 0, m_timing.maxRtoMs)));
}

void Messenger::onTimer()
{
    const quint64 before = m_delivery.retransmissions();
    const QList<Delivery::Failure> failures = m_delivery.poll();
    m_stats.retransmissions += m_delivery.retransmissions() - before;
    for (const Delivery::Failure& f : failures) {
        setFinished(f.messageId, MessageState::Failed);
        if (f.silent)
            setPresence(f.to, Presence::Offline);
    }
    armTimer();
}

void Messenger::finishMessage(qint64 id, MessageState state)
{
    if (m_delivery.remove(id))
        wakeTimer();
    setFinished(id, state);
}

void Messenger::setFinished(qint64 id, MessageState state)
{
    m_history->setState(id, state);
    Q_EMIT deliveryChanged(id, state);
}

void Messenger::setLimits(const Limits& limits)
{
    m_limits = limits;
    m_rateLimiter = RateLimiter(limits.strangers);
}

Messenger::Tables Messenger::tables() const
{
    return {int(m_links.size()), m_rateLimiter.sources(), int(m_strangers.size()), m_reassembler.pending(),
            m_reassembler.heldBytes()};
}

void Messenger::onDatagram(const Datagram& datagram)
{
    ++m_stats.datagramsIn;
    const bool contact = m_contactByEndpoint.contains(datagram.from);
    if (m_contactsOnly && !contact) {
        ++m_stats.dropped;
        ++m_stats.strangersRefused;
        return;
    }
    // Strangers are limited before anything is decoded, so a flood costs a table look-up per datagram. A stranger we
    // are sending to is not: its acknowledgements must get through.
    if (!contact) {
        if (!m_delivery.awaitsAckFrom(datagram.from) &&
            !m_rateLimiter.allow(datagram.from.address, m_clock.elapsed())) {
            ++m_stats.dropped;
            ++m_stats.rateLimited;
            return;
        }
    }
    const ipmsg::DecodeResult decoded = ipmsg::decode(datagram.data);
    if (decoded.packet)
        handlePacket(*decoded.packet, datagram.from);
    else
        handlePlainText(datagram.data, datagram.from);
}

void Messenger::handlePlainText(const QByteArray& data, const Endpoint& from)
{
    QString text = textcodec::decode(data, false, encodingOf(from));
    while (text.endsWith(u'\n') || text.endsWith(u'\r') || text.endsWith(QChar(0)))
        text.chop(1);
    if (text.trimmed().isEmpty()) {
        ++m_stats.dropped;
        qCDebug(lcMessenger) << "dropped an empty plain-text datagram from" << from.toString();
        return;
    }
    if (!admitSender(from))
        return;
    PeerLink& l = link(from);
    l.speaksIpMsg = false;
    l.lastHeardMs = nowMs();
    m_delivery.heard(from);
    Message m;
    m.text = text;
    storeIncoming(m, from);
}

// Every stranger that writes gets a conversation in history: at most newStrangersPerHour new ones an hour, so a flood
// from many addresses cannot bury the contact list (or fill the disk) with conversations. Refused messages are not
// acknowledged; their senders see them fail.
bool Messenger::admitSender(const Endpoint& from)
{
    if (m_contactByEndpoint.contains(from) || m_strangers.contains(from))
        return true;
    const qint64 now = m_clock.elapsed();
    if (m_strangers.size() >= m_limits.newStrangersPerHour)
        m_strangers.removeIf([now](const auto& entry) { return now - entry.value() > StrangerWindowMs; });
    if (m_strangers.size() >= m_limits.newStrangersPerHour) {
        ++m_stats.dropped;
        ++m_stats.strangersRefused;
        return false;
    }
    m_strangers.insert(from, now);
    return true;
}

bool Messenger::storeIncoming(Message m, const Endpoint& from)
{
    m.peer = peerFor(from);
    m.direction = Direction::Incoming;
    m.state = MessageState::Received;
    m.remote = link(from).address;
    m.unread = true;
    if (!m_history->append(m)) {
        ++m_stats.dropped;
        return false;
    }
    m_announce.append(m);
    return true;
}

void Messenger::handlePacket(const ipmsg::Packet& p, const Endpoint& from)
{
    if (isSelf(p, from))
        return;
    if (p.mode() == ipmsg::BrEntry || p.mode() == ipmsg::AnsEntry || p.mode() == ipmsg::BrAbsence) {
        // The nickname first, so that whoever hears of the presence change can show it.
        const ipmsg::EntryInfo info = ipmsg::parseEntry(p.extension);
        link(from).nick = !info.utf8Nick.isEmpty()
                              ? info.utf8Nick
                              : textcodec::decode(info.nick, p.has(ipmsg::Utf8Opt), encodingOf(from));
    }
    if (p.mode() != ipmsg::BrExit)
        heardFrom(from, p.version);
    PeerLink& l = link(from);
    const bool entry = p.mode() == ipmsg::BrEntry || p.mode() == ipmsg::AnsEntry || p.mode() == ipmsg::BrAbsence;
    if (entry && p.packetNo <= l.highestNo && l.highestNo < ClockNumbers) {
        // An entry packet whose counter went back: the peer restarted (an entry packet overtaken on the way by later
        // packets goes back a little too, but clock numbers never reach here). Rows stored from the next millisecond
        // on belong to its new life.
        l.renumberedMs = nowMs() + 1;
        l.numbersSinceRenumbering.clear();
        l.highestNo = p.packetNo;
    }
    l.highestNo = std::max(l.highestNo, p.packetNo);
    switch (p.mode()) {
    case ipmsg::BrEntry:
        sendPacket(ipmsg::AnsEntry | ipmsg::CapUtf8Opt,
                   ipmsg::buildEntry(m_identity.nick, m_identity.group, m_identity.user, m_identity.host), from);
        break;
    case ipmsg::BrExit: setPresence(from, Presence::Offline); break;
    case ipmsg::SendMsg: {
        // An auto-reply or a broadcast is never answered automatically, not even with an ack (IPMsg does the same).
        const bool ack = p.has(ipmsg::SendCheckOpt) && !p.has(ipmsg::BroadcastOpt) && !p.has(ipmsg::AutoRetOpt);
        handleMessage(p, from, textcodec::decode(p.text(), p.has(ipmsg::Utf8Opt), encodingOf(from)), p.packetNo, ack);
        break;
    }
    case ipmsg::PigeonFragment: {
        QString why;
        const auto part = fragment::decode(p.extension, &why);
        if (!part) {
            ++m_stats.dropped;
            qCDebug(lcMessenger) << "dropped a part from" << from.toString() << ":" << why;
            break;
        }
        if (m_history->findIncoming(from.toString(), part->messageNo, nowMs() - DedupeWindowMs)) {
            ++m_stats.duplicates;
            sendAckAfterCommit(p.packetNo, from);
            break;
        }
        const Reassembler::Result r = m_reassembler.add(from, *part, nowMs());
        switch (r.outcome) {
        case Reassembler::Outcome::Stored:
        case Reassembler::Outcome::Duplicate:
            // Other parts are acked at once, part 0 only with the whole message: if the parts held here are lost
            // (a restart, a timeout), the sender keeps trying part 0 and never calls the message delivered.
            if (part->index != 0)
                sendPacket(ipmsg::RecvMsg, QByteArray::number(p.packetNo), from);
            if (!m_expiry.isActive())
                m_expiry.start();
            break;
        case Reassembler::Outcome::Complete:
            handleMessage(p, from, QString::fromUtf8(r.text), part->messageNo, true);
            if (part->index != 0 && m_history->findIncoming(from.toString(), part->messageNo, nowMs() - DedupeWindowMs))
                sendAckAfterCommit(part->messageNo, from);
            break;
        case Reassembler::Outcome::Refused:
            ++m_stats.dropped;
            qCDebug(lcMessenger) << "refused a part from" << from.toString() << ":" << r.error;
            break;
        }
        break;
    }
    case ipmsg::RecvMsg: handleAck(p.text().trimmed().toULongLong(), from); break;
    case ipmsg::ReadMsg: {
        const qint64 id = m_history->findOutgoing(from.toString(), p.text().trimmed().toULongLong());
        if (const auto m = id ? m_history->message(id) : std::nullopt;
            m && (m->state == MessageState::Delivered || m->state == MessageState::Sending)) {
            if (m->state == MessageState::Sending)
                finishMessage(id, MessageState::Read);
            else {
                m_history->setState(id, MessageState::Read);
                Q_EMIT deliveryChanged(id, MessageState::Read);
            }
        }
        break;
    }
    case ipmsg::GetInfo: sendPacket(ipmsg::SendInfo, QByteArrayLiteral("Pigeon " PIGEON_VERSION), from); break;
    default:
        // Private and unsupported commands (FeiQ typing, iptux 0xFB-0xFF, file transfer): nothing to do.
        break;
    }
}

void Messenger::handleMessage(const ipmsg::Packet& p, const Endpoint& from, const QString& text, quint64 messageNo,
                              bool ack)
{
    const QString remote = link(from).address;
    const qint64 since = nowMs() - DedupeWindowMs;
    PeerLink& l = link(from);
    // The same number with another text is a new message from a peer whose counter started again unannounced.
    const qint64 seen = m_history->findIncoming(remote, messageNo, since);
    if (seen && m_history->message(seen)->text == text &&
        (l.renumberedMs == 0 || l.numbersSinceRenumbering.contains(messageNo))) {
        ++m_stats.duplicates;
        if (ack)
            sendAckAfterCommit(p.packetNo, from);
        return;
    }
    if (text.trimmed().isEmpty()) {
        if (ack)
            sendAckAfterCommit(p.packetNo, from);
        return;
    }
    if (!admitSender(from))
        return;
    Message m;
    m.text = text;
    m.packetNo = messageNo;
    m.wantsReadReceipt = p.has(ipmsg::ReadCheckOpt) && !p.has(ipmsg::BroadcastOpt) && !p.has(ipmsg::AutoRetOpt);
    // A message overtaken on the way by a later one from the same sender is shown where the sender put it.
    m.sortKey = m_history->sortKeyBefore(remote, messageNo, std::max(since, l.renumberedMs));
    // Not stored, not acknowledged: the sender tries again.
    if (!storeIncoming(m, from))
        return;
    if (l.renumberedMs != 0 && l.numbersSinceRenumbering.size() < MaxNumbersSinceRenumbering)
        l.numbersSinceRenumbering.insert(messageNo);
    if (ack)
        m_acksDue.append({p.packetNo, from});
}

void Messenger::sendAckAfterCommit(quint64 packetNo, const Endpoint& to)
{
    if (m_history->hasUncommitted())
        m_acksDue.append({packetNo, to});
    else
        sendPacket(ipmsg::RecvMsg, QByteArray::number(packetNo), to);
}

void Messenger::handleAck(quint64 packetNo, const Endpoint& from)
{
    if (const qint64 done = m_delivery.acknowledge(packetNo, from))
        setFinished(done, MessageState::Delivered);
    wakeTimer();
}

void Messenger::onCommitted()
{
    for (const auto& [packetNo, to] : std::exchange(m_acksDue, {}))
        sendPacket(ipmsg::RecvMsg, QByteArray::number(packetNo), to);
    for (const Message& m : std::exchange(m_announce, {}))
        Q_EMIT messageAdded(m);
    for (const Message& m : std::exchange(m_toTransmit, {}))
        transmit(m);
}

void Messenger::sendPacket(quint32 command, const QByteArray& extension, const Endpoint& to, quint64 packetNo)
{
    ipmsg::Packet p;
    p.version = versionField();
    p.packetNo = packetNo ? packetNo : m_numbers.next();
    p.user = m_identity.user;
    p.host = m_identity.host;
    p.command = command;
    p.extension = extension;
    m_transport->send(ipmsg::encode(p), to);
}

Messenger::PeerLink& Messenger::link(const Endpoint& endpoint)
{
    PeerLink*& l = m_links[endpoint];
    if (!l) {
        l = new PeerLink;
        l->endpoint = endpoint;
        l->address = endpoint.toString();
        if (m_links.size() > MaxLinks) {
            // A flood from many addresses: forget the longest-silent strangers that have nothing in flight.
            QList<Endpoint> idle;
            for (auto it = m_links.cbegin(); it != m_links.cend(); ++it)
                if (it.value() != l && !m_delivery.awaitsAckFrom(it.key()) && !m_contactByEndpoint.contains(it.key()))
                    idle.append(it.key());
            std::sort(idle.begin(), idle.end(), [this](const Endpoint& a, const Endpoint& b) {
                return m_links.value(a)->lastHeardMs < m_links.value(b)->lastHeardMs;
            });
            for (qsizetype i = 0; i < idle.size() && i < MaxLinks / 4; ++i)
                delete m_links.take(idle[i]);
        }
    }
    return *l;
}

QString Messenger::peerFor(const Endpoint& from) const
{
    const QString name = m_contactByEndpoint.value(from);
    if (!name.isEmpty())
        return name;
    const PeerLink* l = m_links.value(from);
    return l ? l->address : from.toString();
}

bool Messenger::isSelf(const ipmsg::Packet& p, const Endpoint& from) const
{
    // Our own broadcast comes back to us: same names, same port, from one of this machine's addresses.
    const Endpoint local = m_transport->localEndpoint();
    if (p.user != m_identity.user || p.host != m_identity.host || from.port != local.port)
        return false;
    if (from == local)
        return true;
    // Bound to one address, only that address is us (two Pigeons may share a port on 127.0.0.1 and 127.0.0.2).
    if (local.address != QHostAddress::Any && local.address != QHostAddress::AnyIPv4 &&
        local.address != QHostAddress::AnyIPv6)
        return false;
    const auto addresses = QNetworkInterface::allAddresses();
    return std::any_of(addresses.cbegin(), addresses.cend(), [&](const QHostAddress& a) {
        return a.isEqual(from.address, QHostAddress::TolerantConversion);
    });
}

TextEncoding Messenger::encodingOf(const Endpoint& from) const
{
    const auto contact = m_contacts->find(m_contactByEndpoint.value(from));
    return contact ? contact->encoding : TextEncoding::Utf8;
}

void Messenger::heardFrom(const Endpoint& from, const QByteArray& version)
{
    PeerLink& l = link(from);
    l.lastHeardMs = nowMs();
    m_delivery.heard(from);
    l.speaksIpMsg = true;
    if (l.version != version) {
        l.version = version;
        // A peer just recognised as a Pigeon takes the wider window at once.
        m_delivery.setWindow(from, windowFor(from));
    }
    setPresence(from, Presence::Online);
}

void Messenger::setPresence(const Endpoint& endpoint, Presence presence)
{
    PeerLink& l = link(endpoint);
    if (l.presence == presence)
        return;
    l.presence = presence;
    const QString peer = peerFor(endpoint);
    if (presence == Presence::Offline) {
        // Messages that have not left yet wait in the offline queue instead of failing one by one.
        const QList<qint64> requeue = m_delivery.takeUnsent(endpoint);
        for (qint64 id : requeue)
            setFinished(id, MessageState::Queued);
        if (!requeue.isEmpty())
            m_queuedPeers.insert(peer);
    }
    Q_EMIT presenceChanged(peer, presence);
    if (presence == Presence::Online)
        flushQueue(peer);
}

Presence Messenger::presence(const QString& peer) const
{
    const auto ep = endpointOf(peer);
    const PeerLink* l = ep ? m_links.value(*ep) : nullptr;
    return l ? l->presence : Presence::Unknown;
}

std::optional<Endpoint> Messenger::endpointOf(const QString& peer) const
{
    if (const auto contact = m_contacts->find(peer))
        return contactEndpoint(*contact);
    return Endpoint::parse(peer);
}

QString Messenger::nickOf(const QString& peer) const
{
    const auto ep = endpointOf(peer);
    const PeerLink* l = ep ? m_links.value(*ep) : nullptr;
    return l ? l->nick : QString();
}

qsizetype Messenger::maxTextBytes(const QString& peer) const
{
    const auto contact = m_contacts->find(peer);
    const auto ep = endpointOf(peer);
    const PeerLink* l = ep ? m_links.value(*ep) : nullptr;
    const bool plain = contact ? contact->protocol == Protocol::PlainText : (l && !l->speaksIpMsg);
    if (plain)
        return PlainMaxBytes;
    return (ep && isPigeon(*ep)) ? PigeonSingleBytes : IpMsgPartBytes;
}

void Messenger::setReassemblyLimits(const Reassembler::Limits& limits)
{
    m_reassembler = Reassembler(limits);
    // Checked four times per timeout: a half-received message is gone at most a quarter of it late.
    m_expiry.setInterval(int(std::max<qint64>(1, limits.timeoutMs / 4)));
}

qint64 Messenger::retransmitTimeoutMs(const QString& peer) const
{
    const auto ep = endpointOf(peer);
    return ep ? m_delivery.rtoMs(*ep) : m_timing.initialRtoMs;
}

int Messenger::pendingCount() const
{
    return m_delivery.pending() + int(m_toTransmit.size());
}

bool Messenger::isPigeon(const Endpoint& endpoint) const
{
    const PeerLink* l = m_links.value(endpoint);
    return l && l->version.startsWith("1_pigeon");
}

void Messenger::rebuildContactIndex()
{
    m_contactByEndpoint.clear();
    for (const Contact& c : m_contacts->contacts()) {
        if (const auto ep = contactEndpoint(c))
            m_contactByEndpoint.insert(*ep, c.name);
        // A host name may stand for several addresses (localhost: 127.0.0.1 and ::1); each maps to the contact.
        for (const QHostAddress& a : m_resolved.value(c.host))
            m_contactByEndpoint.insert(Endpoint{normalized(a), c.port}, c.name);
    }
}

void Messenger::resolve(const Contact& contact)
{
    QHostAddress literal;
    if (literal.setAddress(contact.host) || m_resolved.contains(contact.host))
        return;
    m_resolved.insert(contact.host, {});
    const QString host = contact.host;
    QHostInfo::lookupHost(host, this, [this, host](const QHostInfo& info) {
        QList<QHostAddress> addresses;
        for (const QHostAddress& a : info.addresses())
            addresses.append(normalized(a));
        // Prefer IPv4: most IPMsg clients listen on IPv4 only.
        std::stable_sort(addresses.begin(), addresses.end(), [](const QHostAddress& a, const QHostAddress& b) {
            return a.protocol() == QAbstractSocket::IPv4Protocol && b.protocol() != QAbstractSocket::IPv4Protocol;
        });
        if (addresses.isEmpty()) {
            m_resolved.remove(host);
            Q_EMIT problem(tr("The host name \"%1\" could not be resolved: %2").arg(host, info.errorString()));
            return;
        }
        m_resolved.insert(host, addresses);
        rebuildContactIndex();
        const QByteArray entry = ipmsg::buildEntry(m_identity.nick, m_identity.group, m_identity.user, m_identity.host);
        for (const Contact& c : m_contacts->contacts()) {
            if (c.host != host)
                continue;
            if (const auto ep = contactEndpoint(c); ep && c.protocol == Protocol::IpMsg) {
                link(*ep).greeted = true;
                sendPacket(ipmsg::BrEntry | ipmsg::CapUtf8Opt, entry, *ep);
            } else if (ep) {
                flushQueue(c.name);
            }
        }
    });
}

std::optional<Endpoint> Messenger::contactEndpoint(const Contact& contact) const
{
    QHostAddress address;
    if (address.setAddress(contact.host))
        return Endpoint{normalized(address), contact.port};
    const QList<QHostAddress> addresses = m_resolved.value(contact.host);
    if (addresses.isEmpty())
        return std::nullopt;
    return Endpoint{addresses.first(), contact.port};
}
