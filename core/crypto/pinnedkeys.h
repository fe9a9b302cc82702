#pragma once

#include "secret.h"

#include <QCoreApplication>
#include <QMap>
#include <QString>

#include <optional>

// The identity keys of other Pigeons, pinned on first use (TOFU), kept in <profile>/keys.
//
// The first key seen for a peer is pinned. A later, different key is never used silently: it is kept as the
// peer's pending key until the user trusts it (/trust NAME, the GUI prompt), which pins it and clears "verified".
// "Verified" means the user compared fingerprints with the person (/verify NAME, "Mark as verified").
//
// File (UTF-8 text, 0600, rewritten atomically with QSaveFile at each change; '#' lines are comments):
//   line    = peer TAB key TAB flags [TAB pending] LF
//   peer    = the peer's name, percent-encoded (RFC 3986 unreserved characters stay as they are)
//   key     = base64 of the 32-byte Ed25519 identity key        pending = the same, for a changed key
//   flags   = "verified" / "unverified"
// One line per peer; a peer appears at most once.
class PinnedKeys {
    Q_DECLARE_TR_FUNCTIONS(PinnedKeys)
public:
    static constexpr QStringView FileName = u"keys";

    struct Entry {
        crypto::IdentityKey key{};
        bool verified = false;
        std::optional<crypto::IdentityKey> pending; // a different key seen since, waiting for /trust
        friend bool operator==(const Entry&, const Entry&) = default;
    };
    using Entries = QMap<QString, Entry>;

    enum class Seen {
        Pinned,  // first key for this peer: pinned now
        Known,   // the pinned key
        Changed, // a different key: kept as pending, not to be used until trusted
    };

    // Loads `path`; a missing file is an empty store. False with error() for an unreadable or damaged file.
    bool load(const QString& path);
    QString error() const { return m_error; }

    // Records that `peer` presented `key` and says what that means. Saves when something changed; a save error
    // leaves the change in memory and sets error().
    Seen see(const QString& peer, const crypto::IdentityKey& key);
    // Pins the pending key of `peer` (the user accepted the change). False when there is none.
    bool trust(const QString& peer);
    // Marks the pinned key of `peer` as compared aloud (or not). False for an unknown peer.
    bool setVerified(const QString& peer, bool verified);
    // The same peer under another name (a stranger added as a contact, a contact renamed or removed): its entry moves
    // to `to`. False when `from` has none, or `to` already has one (that one is kept: a key is never swapped silently).
    bool rename(const QString& from, const QString& to);
    // Forgets `peer` (a removed contact). False for an unknown peer.
    bool forget(const QString& peer);
    std::optional<Entry> find(const QString& peer) const;
    const Entries& entries() const { return m_entries; }

    // The file format, as pure functions (the fuzz target checks that they round-trip). parse() sets *error to
    // "line N: why" for the first bad line.
    static std::optional<Entries> parse(const QByteArray& text, QString* error);
    static QByteArray serialize(const Entries& entries);

private:
    bool save();

    QString m_path;
    QString m_error;
    Entries m_entries;
};
