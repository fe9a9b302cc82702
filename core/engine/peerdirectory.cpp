#include "peerdirectory.h"

#include "ipmsg.h"

#include <QHostInfo>

PeerDirectory::PeerDirectory(ContactBook* contacts, QObject* parent)
    : QObject(parent)
    , m_contacts(contacts)
{
}

PeerDirectory::~PeerDirectory()
{
    qDeleteAll(m_peers);
}

PeerDirectory::Route PeerDirectory::route(const QString& peer, const QString& remote) const
{
    Route r;
    if (const auto contact = m_contacts->find(peer)) {
        r.known = true;
        r.isContact = true;
        r.peer = contact->name;
        r.protocol = contact->protocol;
        r.endpoint = contactEndpoint(*contact);
        if (!r.endpoint)
            r.endpoint = Endpoint::parse(remote);
    } else {
        const auto ep = Endpoint::parse(peer);
        r.endpoint = ep ? ep : Endpoint::parse(remote);
        if (!r.endpoint)
            return r;
        r.known = true;
        r.peer = ep ? ep->toString() : peer;
        // A stranger speaks IPMsg if it did so last, or, not heard yet, if it is at the IPMsg port.
        const Peer* p = m_peers.value(*r.endpoint);
        const bool ipmsg = p ? p->speaksIpMsg : r.endpoint->port == ipmsg::DefaultPort;
        r.protocol = ipmsg ? Protocol::IpMsg : Protocol::PlainText;
    }
    r.isPigeon = r.endpoint && isPigeon(*r.endpoint);
    const auto contact = r.isContact ? m_contacts->find(r.peer) : std::nullopt;
    if (contact && contact->encoding != TextEncoding::Auto)
        r.encoding = contact->encoding;
    else if (r.protocol == Protocol::PlainText)
        r.encoding = TextEncoding::Utf8; // plain-text datagrams are UTF-8 (PROTOCOL.md)
    else
        r.encoding = r.endpoint ? wireEncoding(*r.endpoint) : m_legacyEncoding;
    r.maxTextBytes = r.protocol == Protocol::PlainText ? PlainMaxBytes
                     : r.isPigeon                      ? PigeonSingleBytes
                                                       : IpMsgPartBytes;
    return r;
}

std::optional<Endpoint> PeerDirectory::endpointOf(const QString& peer) const
{
    if (const auto contact = m_contacts->find(peer))
        return contactEndpoint(*contact);
    return Endpoint::parse(peer);
}

std::optional<Endpoint> PeerDirectory::contactEndpoint(const Contact& contact) const
{
    QHostAddress address;
    if (address.setAddress(contact.host))
        return Endpoint{normalized(address), contact.port};
    const QList<QHostAddress> addresses = m_resolved.value(contact.host);
    if (addresses.isEmpty())
        return std::nullopt;
    return Endpoint{addresses.first(), contact.port};
}

PeerDirectory::Peer& PeerDirectory::peer(const Endpoint& endpoint)
{
    Peer*& p = m_peers[endpoint];
    if (!p) {
        p = new Peer;
        p->endpoint = endpoint;
        p->address = endpoint.toString();
        if (m_peers.size() > m_maxPeers) {
            // A flood from many addresses: forget the longest-silent strangers that have nothing in flight.
            QList<Peer*> idle;
            for (auto it = m_peers.cbegin(); it != m_peers.cend(); ++it)
                if (it.value() != p && !m_contactByEndpoint.contains(it.key()) && !(m_inUse && m_inUse(it.key())))
                    idle.append(it.value());
            std::sort(idle.begin(), idle.end(),
                      [](const Peer* a, const Peer* b) { return a->lastHeardMs < b->lastHeardMs; });
            for (qsizetype i = 0; i < idle.size() && i < std::max(1, m_maxPeers / 4); ++i)
                delete m_peers.take(idle[i]->endpoint);
        }
    }
    return *p;
}

bool PeerDirectory::isPigeon(const Endpoint& endpoint) const
{
    const Peer* p = m_peers.value(endpoint);
    return p && p->version.startsWith("1_pigeon");
}

QString PeerDirectory::peerFor(const Endpoint& from) const
{
    const QString name = m_contactByEndpoint.value(from);
    if (!name.isEmpty())
        return name;
    const Peer* p = m_peers.value(from);
    return p ? p->address : from.toString();
}

TextEncoding PeerDirectory::encodingOf(const Endpoint& from) const
{
    if (const auto it = m_contactByEndpoint.constFind(from); it != m_contactByEndpoint.cend())
        if (const auto contact = m_contacts->find(it.value()); contact && contact->encoding != TextEncoding::Auto)
            return contact->encoding;
    const Peer* p = m_peers.value(from);
    if (p && p->version.startsWith("1_lbt"))
        return TextEncoding::Gbk;
    if (p && p->declaredEncoding == "cp932")
        return TextEncoding::Cp932;
    return TextEncoding::Auto;
}

TextEncoding PeerDirectory::wireEncoding(const Endpoint& to) const
{
    const auto it = m_contactByEndpoint.constFind(to);
    const auto contact = it != m_contactByEndpoint.cend() ? m_contacts->find(it.value()) : std::nullopt;
    if (contact && contact->encoding != TextEncoding::Auto)
        return contact->encoding;
    const Peer* p = m_peers.value(to);
    if ((contact && contact->protocol == Protocol::PlainText) || (p && !p->speaksIpMsg))
        return TextEncoding::Utf8;
    if (!p)
        return m_legacyEncoding;
    if (p->version.startsWith("1_pigeon") || p->capUtf8 || p->declaredEncoding == "utf-8" ||
        p->declaredEncoding == "utf8")
        return TextEncoding::Utf8;
    if (p->version.startsWith("1_lbt"))
        return TextEncoding::Gbk;
    if (const auto declared = textcodec::encodingFromName(QString::fromLatin1(p->declaredEncoding));
        declared && *declared != TextEncoding::Auto)
        return *declared;
    return m_legacyEncoding;
}

void PeerDirectory::rebuildContactIndex()
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

void PeerDirectory::resolve(const Contact& contact)
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
            Q_EMIT resolveFailed(host, info.errorString());
            return;
        }
        m_resolved.insert(host, addresses);
        rebuildContactIndex();
        Q_EMIT resolved(host);
    });
}
