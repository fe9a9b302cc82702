#pragma once

#include "admission.h"
#include "commitbatch.h"
#include "contactbook.h"
#include "delivery.h"
#include "endpoint.h"
#include "fragment.h"
#include "groupbook.h"
#include "history.h"
#include "ipmsg.h"
#include "ownendpoints.h"
#include "peerdirectory.h"
#include "presencestatus.h"
#include "securelayer.h"
#include "securepeers.h"
#include "transport.h"

#include <QElapsedTimer>
#include <QObject>
#include <QSet>
#include <QTimer>

#include <memory>

// Who this Pigeon says it is in its packets.
struct Identity {
    QString nick;
    QString group;
    QByteArray user;
    QByteArray host;

    static Identity fromSystem(const QString& nick = {});
};

// The engine's facade. Sends text to contacts (or to whoever wrote), acknowledges, retransmits and deduplicates, keeps
// every message in History and tells the front ends what happened through signals. It never blocks. Its parts:
// PeerDirectory (how to reach a peer), Admission (who may cost what), Delivery (window, RTO, retries), CommitBatch
// (what waits for History's commit); this class decodes datagrams and dispatches them to one handler per command.
class Messenger : public QObject {
    Q_OBJECT
public:
    struct Stats {
        quint64 datagramsIn = 0;
        quint64 dropped = 0; // undecodable, refused or rate limited
        quint64 duplicates = 0;
        quint64 retransmissions = 0;
        quint64 rateLimited = 0;      // of dropped: over a stranger's rate, or over all strangers' rate
        quint64 strangersRefused = 0; // of dropped: from no contact with --contacts-only, or one stranger too many
        quint64 forgeries = 0;        // of dropped: clear or unauthenticated datagrams from a Pigeon that encrypts
    };
    // What a flood may cost (admission.h): stranger rates, strangers per hour, peers tracked.
    using Limits = Admission::Limits;
    using Route = PeerDirectory::Route;
    // How full the per-sender tables are, for tests: the limits keep each of them bounded.
    struct Tables {
        int links = 0;
        int rateSources = 0;
        int strangers = 0;
        int reassembling = 0;
        qsizetype reassemblyBytes = 0;
    };

    // Retransmission timeouts, retries, giving up and the offline probe (delivery.h).
    using Timing = Delivery::Timing;

    Messenger(Identity identity, ContactBook* contacts, History* history, Transport* transport,
              QObject* parent = nullptr);
    ~Messenger() override;

    // Greets every IPMsg contact with BR_ENTRY and resumes messages that were not delivered when Pigeon stopped.
    void start();
    // Says BR_EXIT to the IPMsg contacts and commits what is pending.
    void stop();

    // Stores and sends a message; returns its id, or 0 with the reason in *error (an empty message, an unknown
    // peer, a text too long for the peer).
    qint64 send(const QString& peer, const QString& text, QString* error = nullptr);
    // As send(), as an IP Messenger sealed message (SECRETOPT with READCHECKOPT): the receiver's client shows it
    // closed and answers READMSG when it is opened. Pigeons and plain-text peers refuse it (*error).
    qint64 sendSealed(const QString& peer, const QString& text, QString* error = nullptr);
    // Whether `peer` is an IP Messenger client that is no Pigeon, to which a message can go sealed.
    bool canSeal(const QString& peer) const;
    // Sends a failed message again.
    bool retry(qint64 id, QString* error = nullptr);
    // Marks a conversation read and sends the read receipts its peer asked for.
    void markRead(const QString& peer);
    // Opens an incoming sealed message and sends READMSG for its packet number alone when its sender asked;
    // emits messageOpened. False when `id` is no sealed message.
    bool openSealed(qint64 id);

    Presence presence(const QString& peer) const;
    // How to reach `peer` (a contact name or "ADDRESS:PORT"): endpoint, protocol, encoding, longest single message.
    Route route(const QString& peer) const { return m_directory.route(peer); }
    // Where messages to `peer` go, when known.
    std::optional<Endpoint> endpointOf(const QString& peer) const;
    // The nickname a peer gave in its entry packets, if any.
    QString nickOf(const QString& peer) const;
    // Longest text in UTF-8 bytes that `peer` can take as one message.
    qsizetype maxTextBytes(const QString& peer) const;
    // Bounds on half-received long messages (fragment.h); parts of one that sees no new part for limits.timeoutMs
    // are dropped. Setting them forgets what is half received.
    void setReassemblyLimits(const Reassembler::Limits& limits);
    // Long messages of which some parts, not all, have arrived.
    int partialMessages() const { return m_reassembler.pending(); }
    // How long the engine now waits for an acknowledgement from `peer` before sending again.
    qint64 retransmitTimeoutMs(const QString& peer) const;
    // Outgoing messages still waiting for an acknowledgement or for their peer.
    int pendingCount() const;
    const Stats& stats() const { return m_stats; }
    const Identity& identity() const { return m_identity; }
    void setIdentity(const Identity& identity) { m_identity = identity; }

    // This Pigeon's status (presencestatus.h): entry packets carry it, a change goes out as BR_ABSENCE to every IPMsg
    // peer that is online, and while Away with a text each peer that writes gets that text back once per away period
    // as an automatic answer (AUTORETOPT), stored as such. `automatic`: set by the idle timer rather than the user.
    void setStatus(Status status, const QString& text = {}, bool automatic = false);
    const PeerStatus& status() const { return m_away.current(); }
    bool isStatusAutomatic() const { return m_away.isAutomatic(); }
    // What `peer`'s entry packets last said of its status (Online when nothing or not known).
    PeerStatus peerStatus(const QString& peer) const;

    // Refuse messages from addresses that are no contact (--contacts-only).
    void setContactsOnly(bool on) { m_admission.setContactsOnly(on); }
    bool isContactsOnly() const { return m_admission.isContactsOnly(); }
    // Announce this Pigeon to the whole LAN with broadcast entry and exit packets at start() and stop(), so that IP
    // Messenger clients list it and answer with theirs. Off by default.
    void setBroadcast(bool on) { m_broadcast = on; }
    // The IPv4 broadcast addresses of the interfaces that are up, loopback excluded.
    static QList<QHostAddress> broadcastAddresses();
    void setTiming(const Timing& timing);
    // The clock that retransmission, duplicate windows and presence read (ms since the epoch; default the wall
    // clock). A test on a fake clock moves it and calls runDue(), so nothing waits in real time.
    void setClock(Delivery::Clock clock) { m_now = std::move(clock); }
    // Retransmits and gives up on what is due on the clock now; the retransmission timer calls it.
    void runDue();
    const Timing& timing() const { return m_timing; }
    void setLimits(const Limits& limits);
    const Limits& limits() const { return m_admission.limits(); }
    Tables tables() const;
    // Whether datagrams from this address and port are a contact's; anyone else is a stranger, whatever name it gives.
    bool isContact(const Endpoint& endpoint) const { return m_directory.isContact(endpoint); }
    // The encoding for peers that have not shown they read UTF-8 (PeerDirectory::setLegacyEncoding).
    void setLegacyEncoding(TextEncoding encoding) { m_directory.setLegacyEncoding(encoding); }
    TextEncoding legacyEncoding() const { return m_directory.legacyEncoding(); }
    // What text to `to` is sent in (PeerDirectory::wireEncoding).
    TextEncoding wireEncoding(const Endpoint& to) const { return m_directory.wireEncoding(to); }
    // Whether an address:port is this Pigeon's own socket (OwnEndpoints): nothing is sent there.
    bool isOwnEndpoint(const Endpoint& endpoint) const { return m_own.contains(endpoint); }

    // Files (core/transfer/): the handler of Pigeon file datagrams (mode filewire::Mode), and how they go out, as
    // an IPMsg packet to `to` through the engine's transport. File datagrams take no packet number of their own
    // (they repeat the last one), so a large transfer does not run the message numbers ahead of the clock.
    // The handler's `payload` is valid during the call only.
    using FileHandler = std::function<void(QByteArrayView payload, const Endpoint& from)>;
    void setFileHandler(FileHandler handler) { m_fileHandler = std::move(handler); }
    void sendFilePayload(QByteArrayView payload, const Endpoint& to);
    // A run of file datagrams to one peer (a transfer's burst, Transfers::pump): the route (the peer's encryption
    // channel, the IPMsg header) is looked up once, and each datagram is built in one buffer that the next one
    // reuses (fileoutput.cpp). Use it within one pass of the event loop: an entry packet handled in between may
    // change the peer's channel.
    class FileOutput {
    public:
        // Where the next payload's `bytes` go: fill them in, then send().
        char* payload(qsizetype bytes);
        // Sends the datagram: sealed for a peer that is Secure, else as sendFilePayload would (in the clear, or
        // held for a key). False when the transport refused it.
        bool send();

    private:
        friend class Messenger;
        FileOutput(Messenger* messenger, const Endpoint& to);
        Messenger* m_messenger;
        Endpoint m_to;
        Channel* m_channel = nullptr; // the peer's while it is Secure
        bool m_own = false;           // `to` is this Pigeon's own socket: nothing goes (sendDatagram)
        QHostAddress m_local;         // where datagrams to `to` leave from (sendDatagram)
        qsizetype m_header = 0;       // bytes of the IPMsg header at the buffer's start
    };
    FileOutput fileOutput(const Endpoint& to);
    // Files with the IP Messenger family (ipmsgtransfers.h): the handler of their UDP side (SENDMSG with
    // FILEATTACHOPT, after its text was handled; RELEASEFILES; RECVMSG), and what it needs to answer: a packet sent
    // with the next packet number (returned) or `packetNo`, a packet's bytes for a TCP request, the text encoding of
    // names from `from`, the version field a peer sent, and the local address and port of the UDP socket.
    using IpmsgFileHandler = std::function<void(const ipmsg::Packet& packet, const Endpoint& from)>;
    void setIpmsgFileHandler(IpmsgFileHandler handler) { m_ipmsgFileHandler = std::move(handler); }
    quint64 sendIpmsg(quint32 command, const QByteArray& extension, const Endpoint& to, quint64 packetNo = 0);
    QByteArray ipmsgRequest(quint32 command, const QByteArray& extension);
    TextEncoding encodingOf(const Endpoint& from) const { return m_directory.encodingOf(from); }
    QByteArray versionOf(const Endpoint& from) const;
    Endpoint localEndpoint() const { return m_transport->localEndpoint(); }
    // The transport underneath, for a Transport::Batch around a burst of sends (the file pump).
    Transport* transport() const { return m_transport; }
    // Whether `from` may cost a conversation's worth (a stranger counts against the strangers per hour); contacts
    // always may.
    bool admitStranger(const Endpoint& from) { return admitSender(from); }
    // The conversation datagrams from `from` belong to: a contact's name, else "address:port".
    QString peerFor(const Endpoint& from) const { return m_directory.peerFor(from); }
    // Group conversations (groupmessaging.cpp, roster.h for how members converge). A group is addressed by its key
    // "#NAME" wherever a peer is (send(), the conversation in History).
    const GroupBook& groups() const { return m_groups; }
    // The longest group name createGroup() takes, in characters (and at most grouppayload::MaxNameBytes of UTF-8).
    static constexpr int MaxGroupNameChars = 64;
    // Makes a group of this Pigeon and `members` (contact names or ADDRESS:PORT) and invites them; returns its key,
    // or empty with the reason in *error (no name, a name over MaxGroupNameChars, no members, one unknown or this
    // Pigeon itself, too many, MaxGroups reached). Leading '#'s are not part of the name ("#team" makes "team").
    QString createGroup(const QString& name, const QStringList& members, QString* error = nullptr);
    // Adds a member (contact name or ADDRESS:PORT) to a group this Pigeon is in; every member hears of it.
    bool addToGroup(const QString& group, const QString& member, QString* error = nullptr);
    // Leaves a group: the others hear of it, and its messages are no longer taken.
    bool leaveGroup(const QString& group, QString* error = nullptr);
    // Where one sent group message is, member by member.
    struct MemberDelivery {
        QString member; // ADDRESS:PORT
        QString name;
        MessageState state = MessageState::Queued;
    };
    QList<MemberDelivery> groupDelivery(qint64 messageId);
    // How a group member is shown: its contact name, else the name its roster entry gives, else its ADDRESS:PORT.
    QString memberName(const QString& group, const QString& endpoint) const;
    // End-to-end encryption with other Pigeons (securelayer.h): `peers` (outliving this) before start(); without it
    // nothing is sealed, as between IP Messenger clients. Session turns it on.
    void setSecurePeers(SecurePeers* peers);
    SecurePeers* securePeers() const { return m_secure; }
    // Whether the conversation with `peer` is end-to-end encrypted now (its channel is agreed).
    bool isEncrypted(const QString& peer) const;
    // The user accepts the changed key of `peer` (/trust, the GUI prompt): what waited for it goes out. False when
    // no key change of `peer` waits.
    bool trust(const QString& peer);
    // What the front ends show of a conversation's encryption.
    struct Security {
        bool encrypted = false;  // the channel is agreed: what is said now is end-to-end encrypted
        bool keyChanged = false; // a new key waits for trust()
        bool verified = false;   // the pinned key was compared aloud (fingerprint.h)
        QString fingerprint;     // of the pinned key; empty when none is
        QString newFingerprint;  // of the key waiting for trust()
    };
    Security security(const QString& peer) const;
    // Marks `peer`'s pinned key as compared with the person ("Mark as verified", /verify NAME yes). False when no
    // key is pinned for it, or a changed one waits.
    bool setVerified(const QString& peer, bool verified);
    // Datagrams held until their peer's key is agreed or trusted.
    qsizetype heldDatagrams() const { return m_sealer ? m_sealer->held() : 0; }

Q_SIGNALS:
    // A message (either way) is in history; for incoming ones, also acknowledged or about to be.
    void messageAdded(const Message& message);
    void deliveryChanged(qint64 id, MessageState state);
    // An incoming sealed message was opened (openSealed): its text may be shown.
    void messageOpened(qint64 id);
    void presenceChanged(const QString& peer, Presence presence);
    // This Pigeon's status changed (setStatus).
    void statusChanged(const PeerStatus& status);
    // A peer's entry packets tell another status or text than before.
    void peerStatusChanged(const QString& peer, const PeerStatus& status);
    // Something the user should hear about that is no message: a history error, a send error.
    void problem(const QString& text);
    // A group was made, joined, or its members changed.
    void groupsChanged();
    // Whether `peer`'s conversation is end-to-end encrypted may have changed (isEncrypted()).
    void encryptionChanged(const QString& peer);
    // `peer` announced another identity key than the pinned one: nothing goes to it or comes from it under that
    // key until trust(). `wasVerified`: the old key had been verified (a stronger warning).
    void keyChanged(const QString& peer, bool wasVerified);
    // Datagrams claiming to be `peer`'s were refused as forgeries: the first of a burst; `total` since start. `peer`
    // is empty for senders that are no peer here.
    void forgeriesRefused(const QString& peer, quint64 total);

private:
    using PeerLink = PeerDirectory::Peer;

    // send() and sendSealed().
    qint64 post(const QString& peer, const QString& text, bool sealed, QString* error);
    void onDatagram(const Datagram& datagram);
    void openSecure(const ipmsg::DecodeResult& decoded, const Datagram& datagram);
    void openEnvelope(const ipmsg::PacketView& outer, const Endpoint& from);
    // notePeer() for a file datagram: once per peer and millisecond (a transfer brings 100 000 a second, and all
    // of one millisecond tell the same).
    void noteFilePeer(const ipmsg::PacketView& packet, const Endpoint& from);
    void handlePacket(const ipmsg::Packet& packet, const Endpoint& from);
    // The dispatcher's handlers, one per IPMsg command (handlePacket's switch), and one for plain text. A new kind
    // of payload is a new command (or a Pigeon private one, as PigeonFragment), a payload type in wire/ with its
    // encode/decode, and one handler here that stores it through History (CommitBatch for what waits for the
    // commit) and sends through Delivery; neither Delivery nor Admission changes.
    void handleEntry(const ipmsg::Packet& packet, const Endpoint& from);
    void handleExit(const Endpoint& from);
    void handleSendMsg(const ipmsg::Packet& packet, const Endpoint& from);
    void handleFragment(const ipmsg::Packet& packet, const Endpoint& from);
    // A part of a long message or of a long group payload (fragment.h); a garbled one is counted as dropped and
    // gives nullopt.
    std::optional<fragment::Part> decodePart(const ipmsg::Packet& packet, const Endpoint& from);
    // Adds `part` to the reassembler. A held part other than part 0 is acknowledged at once; part 0 only with the
    // whole payload, by the caller. Returns the whole payload once this part completes it; nullopt while parts are
    // missing, or when refused (counted as dropped).
    std::optional<QByteArray> reassemble(const ipmsg::Packet& packet, const Endpoint& from, const fragment::Part& part);
    void handleRecvMsg(const ipmsg::Packet& packet, const Endpoint& from);
    void handleReadMsg(const ipmsg::Packet& packet, const Endpoint& from);
    void handleGetInfo(const Endpoint& from);
    void handleFile(const ipmsg::Packet& packet, const Endpoint& from);
    void handleIpmsgFile(const ipmsg::Packet& packet, const Endpoint& from);
    void handleGetAbsenceInfo(const Endpoint& from);
    void handlePlainText(const QByteArray& data, const Endpoint& from);
    // Group datagrams (groupmessaging.cpp): one whole payload, or a part of a long one.
    void handleGroup(const ipmsg::Packet& packet, const Endpoint& from);
    void handleGroupPart(const ipmsg::Packet& packet, const Endpoint& from);
    // Takes a group payload from `from` (first packet number `messageNo`); whether to acknowledge it.
    bool takeGroupPayload(const QByteArray& bytes, quint64 messageNo, const Endpoint& from);
    qint64 sendToGroup(const GroupBook::Group& group, const QString& text, QString* error);
    // Sends a group message again to the members it failed to reach.
    bool retryGroup(const Message& message, QString* error);
    // Sends the group's roster to each of `members` (ADDRESS:PORT) after the commit. A roster is made when it is
    // sent, so one still queued for a member carries this change too and none is added; for a mere exchange
    // (`exchange`: the clocks differ) one on its way suffices as well.
    void queueRoster(const GroupBook::Group& group, const QList<Roster::Entry>& members, bool exchange = false);
    // Stores a line such as "Bob joined" in a group's conversation: `source` marked with QT_TR_NOOP, translated when
    // shown (systemline.h), `arguments` filling its %1, %2.
    void groupNote(const GroupBook::Group& group, const char* source, const QList<QStringList>& arguments = {});
    void transmitGroup(qint64 deliveryId);
    // Delivery ids of group deliveries are negative in Delivery and CommitBatch (message ids are positive).
    void setGroupDelivery(qint64 deliveryId, MessageState state);
    void flushGroupQueue(const Endpoint& to);
    void resumeGroups();
    // The other members of the groups this Pigeon is in.
    QSet<Endpoint> groupMembers() const;
    // Whether `endpoint` (ADDRESS:PORT) is this Pigeon, as the others write it in a roster.
    bool isLocal(const QString& endpoint) const;

    void notePeer(const ipmsg::Packet& packet, const Endpoint& from);
    void handleMessage(const ipmsg::Packet& packet, const Endpoint& from, const QString& text, quint64 messageNo,
                       bool ack);
    bool storeIncoming(Message message, const Endpoint& from);
    bool admitSender(const Endpoint& from);

    void sendPacket(quint32 command, const QByteArray& extension, const Endpoint& to, quint64 packetNo = 0);
    // Every datagram to a peer but entry packets leaves through here: sealed, clear or held (securelayer.h).
    bool output(const QByteArray& datagram, const Endpoint& to);
    // A clear entry packet (BR_ENTRY, ANSENTRY, BR_ABSENCE, BR_EXIT) from `from`: its key announcement read; false
    // when it must not be handled further.
    bool acceptEntry(const ipmsg::Packet& packet, const Endpoint& from);
    // Payload bytes per part of a long message to a Pigeon (smaller when it may be sealed).
    qsizetype partBytes() const;
    bool heardThisRun(const Endpoint& endpoint) const;
    // A peer's conversation key changed (contact added, renamed, removed): its encryption state follows.
    void renameSecurePeer(const QString& from, const QString& to);
    // Every datagram leaves here: never to this Pigeon itself, and from the local address `to` last wrote to.
    bool sendDatagram(const QByteArray& data, const Endpoint& to);
    // The entry packet's extension (nick, group in `encoding`, then the UTF-8 block), as BR_ENTRY, ANSENTRY and
    // BR_EXIT carry it.
    QByteArray entry(TextEncoding encoding) const;
    QString selfRefusal(const Endpoint& to) const;
    // Why `member`, one of this Pigeon's own endpoints, is not added to a group.
    QString ownMemberRefusal(const Endpoint& member) const;
    // Greets `to` with BR_ENTRY (iptux forgets old packet numbers only when it hears one) and remembers it did.
    void greet(const Endpoint& to);
    void greetContacts(const QString& host = {});
    void transmit(const Message& message);
    int windowFor(const Endpoint& to) const;
    void armTimer();
    void wakeTimer();
    // Takes a message out of delivery, then setFinished().
    void finishMessage(qint64 id, MessageState state);
    // Stores a message's new state and tells the front ends.
    void setFinished(qint64 id, MessageState state);
    void flushQueue(const QString& peer);
    // The queued messages to the contacts on `host`, a name that did not resolve, fail: problem() said why.
    void failUnresolved(const QString& host);
    void probeQueuedPeers();

    PeerLink& link(const Endpoint& endpoint) { return m_directory.peer(endpoint); }
    void heardFrom(const Endpoint& from, const QByteArray& version);
    void setPresence(const Endpoint& endpoint, Presence presence);
    QByteArray versionField() const;
    // The datagrams of one message or group payload cut into `payloads`, under packet numbers from `first` on and
    // `command`; each part in a fragment header (fragment.h) when `fragmented`.
    QList<Delivery::Part> packParts(const QList<QByteArray>& payloads, quint64 first, quint32 command,
                                    bool fragmented) const;
    // The option bits of this Pigeon's entry packets: CAPUTF8OPT, and ABSENCEOPT while away or busy.
    quint32 entryOptions() const;
    // Stores the away text in `peer`'s conversation as an automatic answer to `from`, to go out after the commit.
    void answerAway(const Endpoint& from, const QString& peer);
    void transmitAutoAnswer(const Message& message);
    void announce(quint32 command);

    Identity m_identity;
    ContactBook* m_contacts;
    History* m_history;
    Transport* m_transport;
    PeerDirectory m_directory;
    OwnEndpoints m_own;
    QHostAddress m_receivedAt; // the local address the datagram being handled was sent to (Datagram::to)
    Admission m_admission;
    Delivery m_delivery;
    CommitBatch m_batch;
    AwayStatus m_away;
    ipmsg::PacketNumbers m_numbers;
    Reassembler m_reassembler;
    Stats m_stats;
    bool m_broadcast = false;
    Timing m_timing;
    Delivery::Clock m_now;
    QSet<QString> m_queuedPeers; // peers with messages in the offline queue
    GroupBook m_groups;
    QSet<Endpoint> m_groupQueued; // members with group deliveries in the offline queue
    QTimer m_timer;
    QTimer m_expiry; // drops half-received long messages while there are any
    QTimer m_probe;  // greets offline contacts that have messages waiting
    QElapsedTimer m_clock;
    FileHandler m_fileHandler;
    QByteArray m_fileDatagram; // FileOutput's buffer
    struct FileNoted {
        qint64 ms = -1;
        quint64 packetNo = 0;
        Endpoint from;
        QHostAddress local;
        QByteArray version;
    } m_fileNoted; // what noteFilePeer() last told notePeer()
    SecurePeers* m_secure = nullptr;
    std::unique_ptr<SecureLayer> m_sealer;
    IpmsgFileHandler m_ipmsgFileHandler;
};
