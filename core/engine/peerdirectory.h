#pragma once

#include "contactbook.h"
#include "endpoint.h"
#include "fragment.h"
#include "presencestatus.h"
#include "textcodec.h"

#include <QHash>
#include <QHostAddress>
#include <QLocale>
#include <QObject>
#include <QSet>

#include <functional>

enum class Presence { Unknown, Online, Offline };

// The one answer to "how do I reach this peer": its endpoint, protocol, text encoding, the longest text it takes
// as one message, whether it is a Pigeon, its nickname and presence. Keeps what was heard from each remote endpoint
// (bounded: idle strangers are forgotten past a cap), the contacts indexed by endpoint, and resolves contacts'
// host names.
class PeerDirectory : public QObject {
    Q_OBJECT
public:
    // Text bytes per SENDMSG for IPMsg clients: iptux reads at most 8 192 bytes of a datagram, header included.
    static constexpr qsizetype IpMsgPartBytes = 8000;
    // Up to this many UTF-8 bytes go to a Pigeon as one SENDMSG; longer text as parts (fragment.h).
    static constexpr qsizetype PigeonSingleBytes = fragment::PartBytes;
    // A plain-text message is one UDP datagram: 65 535 - 8 (UDP) - 20 (IPv4) bytes.
    static constexpr qsizetype PlainMaxBytes = 65507;

    // What is known of one remote endpoint.
    struct Peer {
        Endpoint endpoint;
        QString address; // endpoint.toString(), made once: every message to or from it carries this text
        QByteArray version;
        QString nick;
        QHostAddress local;          // the local address it last wrote to: answers leave from there (issue 15.3)
        bool capUtf8 = false;        // announced CAPUTF8OPT in an entry packet, or wrote with UTF8OPT
        QByteArray declaredEncoding; // what its entry packets name (iptux's fourth field), lower case
        Presence presence = Presence::Unknown;
        PeerStatus status; // away or busy, as its entry packets say
        bool speaksIpMsg = true;
        bool greeted = false;
        qint64 lastHeardMs = -1;
        // Its packet numbers. A counter that starts again at a restart, as iptux's does, makes the numbers of
        // messages stored before no guide to duplicates or order: after that, only numbers seen since count.
        quint64 highestNo = 0;
        qint64 renumberedMs = 0; // 0: never
        QSet<quint64> numbersSinceRenumbering;
    };
    // How to reach a peer named by a contact name or "ADDRESS:PORT".
    struct Route {
        bool known = false; // a contact, or an address
        QString peer;       // the conversation's key: the contact's name, or the address as "ADDRESS:PORT"
        std::optional<Endpoint> endpoint; // empty while a host name is not resolved
        Protocol protocol = Protocol::IpMsg;
        TextEncoding encoding = TextEncoding::Utf8; // what goes on the wire: wireEncoding(), never Auto
        qsizetype maxTextBytes = IpMsgPartBytes;    // longest text (bytes in `encoding`) that goes as one datagram
        bool isContact = false;
        bool isPigeon = false;
    };

    explicit PeerDirectory(ContactBook* contacts, QObject* parent = nullptr);
    ~PeerDirectory() override;

    // The route to `peer` (contact name or "ADDRESS:PORT"). `remote`, when given, is where its messages went last
    // (Message::remote): the endpoint used while a contact's host name is not resolved, or for a former contact.
    Route route(const QString& peer, const QString& remote = {}) const;
    std::optional<Endpoint> endpointOf(const QString& peer) const;
    // Where a contact's messages go; empty while its host name is not resolved.
    std::optional<Endpoint> contactEndpoint(const Contact& contact) const;

    // The record of `endpoint`, made when first needed. Past `maxPeers` records, the longest-silent quarter of the
    // strangers that are not `inUse` is forgotten.
    Peer& peer(const Endpoint& endpoint);
    const Peer* find(const Endpoint& endpoint) const { return m_peers.value(endpoint); }
    const QHash<Endpoint, Peer*>& peers() const { return m_peers; }
    bool isPigeon(const Endpoint& endpoint) const;
    // The conversation key of datagrams from `from`: a contact's name, else "ADDRESS:PORT".
    QString peerFor(const Endpoint& from) const;
    // How to read text that `from` sends without UTF8OPT: its contact's explicit encoding, else GBK from FeiQ (version
    // "1_lbt..."), CP932 from a peer whose entry names it, else Auto (valid UTF-8 is UTF-8, anything else is in the
    // legacy encoding; textcodec::decode).
    TextEncoding encodingOf(const Endpoint& from) const;
    // What goes on the wire to `to` (README "Text encodings"): the contact's explicit encoding; else UTF-8 to peers
    // that read it (Pigeons, CAPUTF8OPT, UTF8OPT in what they sent, iptux's "utf-8") and to plain-text peers; GBK to
    // FeiQ; an encoding the entry names; else the legacy encoding, also for an IPMsg peer not heard from yet (IP
    // Messenger's rule, prot-eng.txt: UTF8OPT only to hosts that announced CAPUTF8OPT). Never Auto.
    TextEncoding wireEncoding(const Endpoint& to) const;
    // The encoding of peers that have not shown they read UTF-8; by default the system locale's
    // (textcodec::legacyEncodingFor). Auto is no encoding and is ignored.
    void setLegacyEncoding(TextEncoding encoding)
    {
        if (encoding != TextEncoding::Auto)
            m_legacyEncoding = encoding;
    }
    TextEncoding legacyEncoding() const { return m_legacyEncoding; }
    // Whether datagrams from this address and port are a contact's; anyone else is a stranger, whatever name it gives.
    bool isContact(const Endpoint& endpoint) const { return m_contactByEndpoint.contains(endpoint); }

    void setMaxPeers(int maxPeers) { m_maxPeers = maxPeers; }
    void setInUse(std::function<bool(const Endpoint&)> inUse) { m_inUse = std::move(inUse); }

    // The endpoints the contact index gives to contact `name` (before rebuildContactIndex() forgets a removed one).
    QList<Endpoint> indexedEndpoints(const QString& name) const { return m_contactByEndpoint.keys(name); }
    // Rebuilds the contact index (after contacts or resolved addresses changed).
    void rebuildContactIndex();
    // Starts resolving the host name of `contact` if it is one and not resolved yet; resolved() or resolveFailed()
    // follow.
    void resolve(const Contact& contact);

Q_SIGNALS:
    // `host` now has addresses: contacts on it can be greeted and sent to.
    void resolved(const QString& host);
    void resolveFailed(const QString& host, const QString& error);

private:
    ContactBook* m_contacts;
    int m_maxPeers = 4096;
    TextEncoding m_legacyEncoding = textcodec::legacyEncodingFor(QLocale::system());
    std::function<bool(const Endpoint&)> m_inUse;
    QHash<Endpoint, Peer*> m_peers;
    QHash<Endpoint, QString> m_contactByEndpoint;
    QHash<QString, QList<QHostAddress>> m_resolved; // host name -> addresses, IPv4 first
};
