#pragma once

#include "contactbook.h"
#include "history.h"
#include "keystore.h"
#include "messenger.h"
#include "pinnedkeys.h"
#include "profile.h"
#include "securepeers.h"
#include "transfers.h"
#include "transport.h"

#include <QHostAddress>
#include <QObject>

// One running Pigeon: a profile's contacts and history, a bound socket and the engine over them. Both front ends
// (and the end-to-end tests) start Pigeon through this.
class Session : public QObject {
    Q_OBJECT
public:
    struct Options {
        QString profileDir; // empty: the default profile
        QHostAddress bind{QHostAddress::Any};
        std::optional<quint16> port; // unset: the profile's port (2425 unless changed)
        QString nick;                // empty: the profile's nickname, else the login name
        bool contactsOnly = false;
        bool broadcast = false; // announce on the LAN (entry and exit packets to broadcast addresses)
        // Files: where received ones go (empty: the user's download folder + "/Pigeon"), and whether offers from
        // contacts are accepted without asking (never from strangers).
        QString downloads = {};
        bool acceptFiles = false;
        std::optional<TextEncoding> legacyEncoding = std::nullopt; // unset: the profile's (Profile::legacyEncoding)
        // End-to-end encryption with other Pigeons (issue 13). Off only for the benchmark's comparison in the same
        // run; no front end offers it.
        bool encrypt = true;
    };

    explicit Session(QObject* parent = nullptr);
    ~Session() override;

    // Opens the profile, its identity key (made on first start), pinned keys, contacts and history and binds the
    // socket; the engine encrypts with other Pigeons. A broken contacts file is not fatal (warnings() says why and
    // the book stays read-only); an identity key that is damaged or readable by others (keystore.h), a damaged keys
    // file (a key change must not be missed), a history that cannot be opened or a socket that cannot be bound is:
    // false, with the reason in error().
    bool open(const Options& options);
    // Binds again, for example after the user picked another port; starts the engine if the first bind failed.
    bool rebind(const QHostAddress& address, quint16 port);
    void close();

    QString error() const { return m_error; }
    QStringList warnings() const { return m_warnings; }
    const Profile& profile() const { return m_profile; }
    // This profile's long-term identity for end-to-end encryption.
    const KeyStore& identity() const { return m_identity; }
    // The keys of other Pigeons pinned on first use, and their encryption state (the engine seals with it).
    PinnedKeys& pinnedKeys() { return m_pinned; }
    SecurePeers* securePeers() { return m_secure; }
    ContactBook& contacts() { return m_contacts; }
    History& history() { return m_history; }
    UdpTransport& transport() { return m_transport; }
    Messenger* messenger() { return m_messenger; }
    // Files to and from Pigeons, over the engine.
    Transfers* transfers() { return m_transfers; }
    bool isListening() const { return m_listening; }
    // The address Pigeon listens on (or last tried to): --bind, else the profile's.
    QHostAddress bindAddress() const { return m_bindAddress; }
    // The port Pigeon listens on (or last tried to).
    quint16 bindPort() const { return m_bindPort; }

    // Refusing strangers: from the command line or the profile at open(); changing it applies at once.
    bool contactsOnly() const { return m_contactsOnly; }
    void setContactsOnly(bool on);
    // Announcing on the LAN: from the command line or the profile at open(). Turning it on takes effect at the next
    // start, as the entry broadcast goes out only then; turning it off also spares the exit broadcast of this run.
    bool broadcast() const { return m_broadcast; }
    void setBroadcast(bool on);

private:
    Profile m_profile;
    KeyStore m_identity;
    PinnedKeys m_pinned;
    SecurePeers* m_secure = nullptr;
    ContactBook m_contacts;
    History m_history;
    UdpTransport m_transport;
    Messenger* m_messenger = nullptr;
    Transfers* m_transfers = nullptr;
    QString m_error;
    QStringList m_warnings;
    bool m_listening = false;
    QHostAddress m_bindAddress{QHostAddress::Any};
    quint16 m_bindPort = 0;
    bool m_started = false;
    bool m_contactsOnly = false;
    bool m_broadcast = false;
};
