#pragma once

#include "cryptowire.h"
#include "handshake.h"
#include "replaywindow.h"

#include <QByteArray>

#include <optional>

// One end of an authenticated, encrypted channel between two Pigeons for one pair of runs: seals datagrams for the
// peer and opens the peer's, with XChaCha20-Poly1305 (libsodium crypto_aead_xchacha20poly1305_ietf) under the
// session keys of handshake.h. What an envelope authenticates (cryptowire.h): its counter, and the sender's and
// receiver's identity keys, so a datagram replayed, reflected back to its sender or redirected to another Pigeon
// does not open. Network addresses are not in it: a NAT or a relay changes them legitimately; the engine opens a
// datagram only with the channel of the contact it came from.
class Channel {
public:
    enum class Refusal {
        None,
        Malformed, // not an envelope (cryptowire::decode)
        Forged,    // does not authenticate: another key, altered or truncated bytes, another sender or receiver
        Replayed,  // authenticated, but its counter was accepted before
        TooOld,    // its counter is behind the replay window (ReplayWindow::Size)
    };

    Channel(const crypto::SessionKeys& keys, const crypto::IdentityKey& self, const crypto::IdentityKey& peer);

    // The envelope (cryptowire.h) carrying `plaintext` to the peer: plaintext size + cryptowire::Overhead bytes.
    QByteArray seal(QByteArrayView plaintext);
    // As seal(), appending the envelope to `out` (a buffer reused from datagram to datagram allocates nothing).
    void sealInto(QByteArray& out, QByteArrayView plaintext);
    // The plaintext of an envelope from the peer; nullopt with *why when refused. A refused envelope changes
    // nothing, so the genuine datagram that a forgery imitated still opens when it arrives.
    std::optional<QByteArray> open(QByteArrayView envelope, Refusal* why = nullptr);
    // As open(), writing the plaintext into `out` (resized to it; a reused buffer allocates nothing); false when
    // refused, and `out` holds nothing of the envelope then.
    bool openInto(QByteArrayView envelope, QByteArray& out, Refusal* why = nullptr);

    // Envelopes sealed so far (the last counter used).
    quint64 sealed() const { return m_lastSent; }

private:
    // "pigeon-env-v1" || version || counter || sender || receiver (cryptowire.h), on the stack: 86 bytes.
    using AssociatedData = std::array<unsigned char, 13 + 1 + 8 + 2 * crypto_sign_PUBLICKEYBYTES>;
    static AssociatedData associatedData(quint64 counter, const crypto::IdentityKey& sender,
                                         const crypto::IdentityKey& receiver);

    // XChaCha20-Poly1305 (IETF) is ChaCha20-Poly1305 (IETF) under the subkey HChaCha20(key, nonce[0..16)), with
    // the nonce's last 8 bytes after 4 zero bytes (libsodium's own construction, draft-irtf-cfrg-xchacha). A
    // channel's nonces share their first 16 bytes (seal()), so each side derives that subkey once per peer prefix
    // instead of once per datagram; the bytes on the wire are the same.
    static constexpr std::size_t PrefixBytes = crypto_core_hchacha20_INPUTBYTES; // 16
    using Prefix = std::array<unsigned char, PrefixBytes>;

    crypto::SessionKeys m_keys;
    crypto::IdentityKey m_self;
    crypto::IdentityKey m_peer;
    Prefix m_noncePrefix{};
    crypto::SecretBytes<crypto_core_hchacha20_OUTPUTBYTES> m_sendSubkey; // for m_noncePrefix
    std::optional<Prefix> m_peerPrefix;                                  // the prefix of the last envelope that opened
    crypto::SecretBytes<crypto_core_hchacha20_OUTPUTBYTES> m_receiveSubkey; // for m_peerPrefix
    quint64 m_lastSent = 0;
    ReplayWindow m_window;
};
