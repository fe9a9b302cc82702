#include "channel.h"

namespace {

constexpr QByteArrayView AdDomain = "pigeon-env-v1";

} // namespace

Channel::Channel(const crypto::SessionKeys& keys, const crypto::IdentityKey& self, const crypto::IdentityKey& peer)
    : m_keys(keys)
    , m_self(self)
    , m_peer(peer)
{
}

QByteArray Channel::associatedData(quint64 counter, const crypto::IdentityKey& sender,
                                   const crypto::IdentityKey& receiver) const
{
    QByteArray ad;
    ad.reserve(AdDomain.size() + 1 + 8 + 2 * qsizetype(sender.size()));
    ad.append(AdDomain).append(char(cryptowire::Version));
    for (int shift = 56; shift >= 0; shift -= 8)
        ad.append(char(quint8(counter >> shift)));
    ad.append(reinterpret_cast<const char*>(sender.data()), qsizetype(sender.size()));
    ad.append(reinterpret_cast<const char*>(receiver.data()), qsizetype(receiver.size()));
    return ad;
}

QByteArray Channel::seal(QByteArrayView plaintext)
{
    cryptowire::Envelope e;
    e.counter = ++m_lastSent;
    randombytes_buf(e.nonce.data(), e.nonce.size());
    const QByteArray ad = associatedData(e.counter, m_self, m_peer);
    e.ciphertext.resize(plaintext.size() + cryptowire::TagBytes);
    unsigned long long length = 0;
    crypto_aead_xchacha20poly1305_ietf_encrypt(reinterpret_cast<unsigned char*>(e.ciphertext.data()), &length,
                                               reinterpret_cast<const unsigned char*>(plaintext.data()),
                                               quint64(plaintext.size()),
                                               reinterpret_cast<const unsigned char*>(ad.constData()),
                                               quint64(ad.size()), nullptr, e.nonce.data(), m_keys.send.data());
    return cryptowire::encode(e);
}

std::optional<QByteArray> Channel::open(QByteArrayView envelope, Refusal* why)
{
    const auto refuse = [why](Refusal r) {
        if (why)
            *why = r;
        return std::nullopt;
    };
    const auto e = cryptowire::decode(envelope, nullptr);
    if (!e)
        return refuse(Refusal::Malformed);
    // The window is checked before the (costlier) decryption and updated only after it authenticated.
    switch (m_window.check(e->counter)) {
    case ReplayWindow::Verdict::Fresh: break;
    case ReplayWindow::Verdict::Duplicate: return refuse(Refusal::Replayed);
    case ReplayWindow::Verdict::TooOld: return refuse(Refusal::TooOld);
    }
    const QByteArray ad = associatedData(e->counter, m_peer, m_self);
    QByteArray plaintext(e->ciphertext.size() - cryptowire::TagBytes, Qt::Uninitialized);
    unsigned long long length = 0;
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(reinterpret_cast<unsigned char*>(plaintext.data()), &length, nullptr,
                                                   reinterpret_cast<const unsigned char*>(e->ciphertext.constData()),
                                                   quint64(e->ciphertext.size()),
                                                   reinterpret_cast<const unsigned char*>(ad.constData()),
                                                   quint64(ad.size()), e->nonce.data(), m_keys.receive.data()) != 0)
        return refuse(Refusal::Forged);
    m_window.accept(e->counter);
    if (why)
        *why = Refusal::None;
    return plaintext;
}
