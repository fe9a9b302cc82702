#pragma once

#include "secret.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

#include <array>
#include <optional>

// The wire codec of Pigeon's end-to-end encryption: the key announcement carried in entry packets, and the sealed
// envelope that carries every datagram between two Pigeons once they share session keys. Pure functions over
// bytes; the cryptography is in handshake.h and channel.h.
//
// Key announcement: one more line in the UTF-8 block that ends an entry packet's extension (BR_ENTRY, ANSENTRY,
// BR_ABSENCE; PROTOCOL.md "Entry and presence"). IP Messenger reads only the keys it knows from that block, iptux
// stops at its own NUL-separated fields, so other clients ignore the line.
//   extension    = nick NUL group NUL LF "UN:" user LF "HN:" host LF "NN:" nick LF "GN:" group LF [announce LF]
//   announce     = "PK:" version ":" base64                    ; RFC 4648 with padding: 172 characters
//   version      = "1"
//   base64       = identity (32) || ephemeral (32) || signature (64)      ; 128 bytes
//     identity   = Ed25519 public identity key (crypto_sign)
//     ephemeral  = X25519 public key made at this start (crypto_kx)
//     signature  = Ed25519 detached signature by identity of "pigeon-kx-v1" || identity || ephemeral
//
// Sealed envelope: the extension of an IPMsg packet of Pigeon's private mode SealedMode (other clients ignore modes
// they do not know). The plaintext is the whole IPMsg datagram that would have been sent in the clear.
//   envelope     = version counter nonce ciphertext
//   version      = %x01                                         ; 1 byte
//   counter      = 8 bytes, big-endian, from 1, one per sealed datagram and direction (the replay window's index)
//   nonce        = 24 bytes, unique per key (XChaCha20-Poly1305 IETF): the sender makes it from a random
//                  prefix and the counter (channel.cpp); the receiver takes it as sent
//   ciphertext   = crypto_aead_xchacha20poly1305_ietf_encrypt(plaintext, ad) ; plaintext length + 16 (the tag)
//   ad           = "pigeon-env-v1" || version || counter || sender identity || receiver identity
// Overhead: 49 bytes over the sealed datagram, plus the outer IPMsg header, whose user and host fields may stay
// empty (the sealed datagram carries them): "1_pigeon 0.1.0:<counter>:::226:" and a NUL, 23 to 42 bytes.
namespace cryptowire {

inline constexpr quint8 Version = 1;
// Pigeon's private IPMsg mode of a sealed datagram (next to PigeonFragment, 0xE1).
inline constexpr quint32 SealedMode = 0xE5;
inline constexpr qsizetype NonceBytes = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES; // 24
inline constexpr qsizetype TagBytes = crypto_aead_xchacha20poly1305_ietf_ABYTES;      // 16
inline constexpr qsizetype HeaderBytes = 1 + 8 + NonceBytes;                          // 33
inline constexpr qsizetype Overhead = HeaderBytes + TagBytes;                         // 49

struct Envelope {
    quint64 counter = 0;
    std::array<unsigned char, NonceBytes> nonce{};
    QByteArray ciphertext; // at least TagBytes
    friend bool operator==(const Envelope&, const Envelope&) = default;
};

// An envelope read in place: `ciphertext` points into the bytes read (Channel::open reads without copying them).
struct EnvelopeView {
    quint64 counter = 0;
    std::array<unsigned char, NonceBytes> nonce{};
    QByteArrayView ciphertext; // at least TagBytes
};

// nullopt with *error for anything that is not a version-1 envelope with a non-zero counter and a whole tag.
std::optional<EnvelopeView> read(QByteArrayView bytes, QString* error);
// As read(), with the ciphertext copied.
std::optional<Envelope> decode(QByteArrayView bytes, QString* error);
QByteArray encode(const Envelope& envelope);
// Appends version, counter and nonce (HeaderBytes) to `out`: what precedes the ciphertext (Channel::seal encrypts
// straight after it, without an Envelope in between).
void appendHeader(QByteArray& out, quint64 counter, const std::array<unsigned char, NonceBytes>& nonce);

struct Announcement {
    crypto::IdentityKey identity{};
    std::array<unsigned char, crypto_kx_PUBLICKEYBYTES> ephemeral{};
    std::array<unsigned char, crypto_sign_BYTES> signature{};
    friend bool operator==(const Announcement&, const Announcement&) = default;
};

// The "PK:1:..." line, without its LF.
QByteArray announcementLine(const Announcement& announcement);
// The announcement in an entry packet's extension. No PK line: nullopt and an empty *error (a peer that does not
// encrypt). A PK line that is not a whole version-1 announcement: nullopt and *error says why. The signature is
// not checked here (handshake.h).
std::optional<Announcement> findAnnouncement(QByteArrayView entryExtension, QString* error);

} // namespace cryptowire
