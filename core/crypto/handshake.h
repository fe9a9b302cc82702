#pragma once

#include "cryptowire.h"
#include "secret.h"

#include <QCoreApplication>
#include <QString>

#include <optional>

class KeyStore;

// The key agreement between two Pigeons: each makes a fresh X25519 key pair at every start (crypto_kx), signs its
// public half with its long-term Ed25519 identity (crypto_sign) and announces both (cryptowire.h). From the other's
// announcement each side derives the same two session keys, one per direction. A stolen identity key therefore
// does not open traffic of an earlier run (forward secrecy across restarts), and a man in the middle cannot
// substitute his own ephemeral key without the identity's signature.
//
// Roles: the side whose ephemeral public key is the smaller (memcmp) is crypto_kx's client. The crypto_kx keys are
// then bound to both identities and both ephemeral keys:
//   key = BLAKE2b-256 (crypto_generichash) keyed by the crypto_kx key, of
//         "pigeon-session-v1" || client identity || server identity || client ephemeral || server ephemeral
// so the session keys also name who the two ends are (no unknown-key-share).
namespace crypto {

// Per-direction XChaCha20-Poly1305 keys of one pair of Pigeons for this pair of runs, 32 bytes each.
struct SessionKeys {
    SecretBytes<32> send;
    SecretBytes<32> receive;
};

// True when the announcement's signature is its identity's, over its ephemeral key.
bool verify(const cryptowire::Announcement& announcement);

class Handshake {
    Q_DECLARE_TR_FUNCTIONS(Handshake)
public:
    // Makes this run's ephemeral key pair and signs it with `identity`, which must be open.
    explicit Handshake(const KeyStore& identity);

    const cryptowire::Announcement& announcement() const { return m_own; }
    // The session keys with the Pigeon that announced `peer`. nullopt with *error when its signature does not
    // verify, or when it is this run's own announcement coming back.
    std::optional<SessionKeys> agree(const cryptowire::Announcement& peer, QString* error) const;

private:
    cryptowire::Announcement m_own;
    SecretBytes<crypto_kx_SECRETKEYBYTES> m_ephemeralSecret;
};

} // namespace crypto
