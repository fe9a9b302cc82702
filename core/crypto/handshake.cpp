#include "handshake.h"

#include "keystore.h"

namespace crypto {

namespace {

constexpr QByteArrayView SignDomain = "pigeon-kx-v1";
constexpr QByteArrayView SessionDomain = "pigeon-session-v1";

QByteArray signedPart(const cryptowire::Announcement& a)
{
    QByteArray message = SignDomain.toByteArray();
    message.append(reinterpret_cast<const char*>(a.identity.data()), qsizetype(a.identity.size()));
    message.append(reinterpret_cast<const char*>(a.ephemeral.data()), qsizetype(a.ephemeral.size()));
    return message;
}

// BLAKE2b-256 keyed by the crypto_kx key `kx`, over the transcript; the result replaces `kx`.
void bind(SecretBytes<32>& kx, const QByteArray& transcript)
{
    SecretBytes<32> out;
    crypto_generichash(out.data(), out.size(), reinterpret_cast<const unsigned char*>(transcript.constData()),
                       quint64(transcript.size()), kx.data(), kx.size());
    kx = out;
}

} // namespace

bool verify(const cryptowire::Announcement& a)
{
    const QByteArray message = signedPart(a);
    return crypto_sign_verify_detached(a.signature.data(), reinterpret_cast<const unsigned char*>(message.constData()),
                                       quint64(message.size()), a.identity.data()) == 0;
}

Handshake::Handshake(const KeyStore& identity)
{
    ready();
    m_own.identity = identity.publicKey();
    crypto_kx_keypair(m_own.ephemeral.data(), m_ephemeralSecret.data());
    const QByteArray signature = identity.sign(signedPart(m_own));
    std::copy(signature.begin(), signature.end(), m_own.signature.begin());
}

std::optional<SessionKeys> Handshake::agree(const cryptowire::Announcement& peer, QString* error) const
{
    const auto fail = [error](const QString& why) {
        if (error)
            *error = why;
        return std::nullopt;
    };
    if (sodium_memcmp(peer.ephemeral.data(), m_own.ephemeral.data(), peer.ephemeral.size()) == 0)
        return fail(tr("the key announcement is this Pigeon's own"));
    if (!verify(peer))
        return fail(tr("the key announcement's signature does not match its identity key"));
    // The role needs an order of the two public keys, which are public anyway.
    const bool client = std::lexicographical_compare(m_own.ephemeral.begin(), m_own.ephemeral.end(),
                                                     peer.ephemeral.begin(), peer.ephemeral.end());
    const cryptowire::Announcement& c = client ? m_own : peer;
    const cryptowire::Announcement& s = client ? peer : m_own;
    SessionKeys keys;
    const int rc = client ? crypto_kx_client_session_keys(keys.receive.data(), keys.send.data(), m_own.ephemeral.data(),
                                                          m_ephemeralSecret.data(), peer.ephemeral.data())
                          : crypto_kx_server_session_keys(keys.receive.data(), keys.send.data(), m_own.ephemeral.data(),
                                                          m_ephemeralSecret.data(), peer.ephemeral.data());
    if (rc != 0)
        return fail(tr("the peer's ephemeral key is not a valid X25519 key"));
    QByteArray transcript = SessionDomain.toByteArray();
    for (const auto* part : {&c.identity, &s.identity})
        transcript.append(reinterpret_cast<const char*>(part->data()), qsizetype(part->size()));
    for (const auto* part : {&c.ephemeral, &s.ephemeral})
        transcript.append(reinterpret_cast<const char*>(part->data()), qsizetype(part->size()));
    bind(keys.send, transcript);
    bind(keys.receive, transcript);
    return keys;
}

} // namespace crypto
