#include "channel.h"

namespace {

constexpr QByteArrayView AdDomain = "pigeon-env-v1";

} // namespace

Channel::Channel(const crypto::SessionKeys& keys, const crypto::IdentityKey& self, const crypto::IdentityKey& peer)
    : m_keys(keys)
    , m_self(self)
    , m_peer(peer)
{
    crypto::ready();
    randombytes_buf(m_noncePrefix.data(), m_noncePrefix.size());
    crypto_core_hchacha20(m_sendSubkey.data(), m_noncePrefix.data(), m_keys.send.data(), nullptr);
}

Channel::AssociatedData Channel::associatedData(quint64 counter, const crypto::IdentityKey& sender,
                                                const crypto::IdentityKey& receiver)
{
    static_assert(AdDomain.size() == 13);
    AssociatedData ad{};
    auto out = std::copy(AdDomain.begin(), AdDomain.end(), ad.begin());
    *out++ = cryptowire::Version;
    for (int shift = 56; shift >= 0; shift -= 8)
        *out++ = static_cast<unsigned char>(counter >> shift);
    out = std::copy(sender.begin(), sender.end(), out);
    std::copy(receiver.begin(), receiver.end(), out);
    return ad;
}

QByteArray Channel::seal(QByteArrayView plaintext)
{
    QByteArray out;
    sealInto(out, plaintext);
    return out;
}

void Channel::sealInto(QByteArray& out, QByteArrayView plaintext)
{
    const quint64 counter = ++m_lastSent;
    // Nonce: this channel's random 16-byte prefix, then the counter. Unique under a key without a system call per
    // datagram: the counter never repeats within a channel, and two channels that derived the same keys (the same
    // pair of ephemeral keys agreed twice) have different random prefixes (a collision is a 2^-64 chance after 2^32
    // channels). The receiver takes the nonce as sent and relies on none of this.
    std::array<unsigned char, cryptowire::NonceBytes> nonce;
    std::copy(m_noncePrefix.begin(), m_noncePrefix.end(), nonce.begin());
    for (int i = 0; i < 8; ++i)
        nonce[16 + i] = quint8(counter >> (56 - 8 * i));
    const AssociatedData ad = associatedData(counter, m_self, m_peer);
    // The header, then the ciphertext encrypted straight after it, in the one buffer.
    const qsizetype at = out.size();
    out.reserve(at + cryptowire::Overhead + plaintext.size());
    cryptowire::appendHeader(out, counter, nonce);
    out.resize(at + cryptowire::Overhead + plaintext.size());
    // crypto_aead_xchacha20poly1305_ietf_encrypt(..., nonce, m_keys.send), with the subkey derived once.
    std::array<unsigned char, crypto_aead_chacha20poly1305_ietf_NPUBBYTES> inner{};
    std::copy(nonce.begin() + PrefixBytes, nonce.end(), inner.begin() + 4);
    unsigned long long length = 0;
    crypto_aead_chacha20poly1305_ietf_encrypt(
        reinterpret_cast<unsigned char*>(out.data()) + at + cryptowire::HeaderBytes, &length,
        reinterpret_cast<const unsigned char*>(plaintext.data()), quint64(plaintext.size()), ad.data(), ad.size(),
        nullptr, inner.data(), m_sendSubkey.data());
}

std::optional<QByteArray> Channel::open(QByteArrayView envelope, Refusal* why)
{
    QByteArray plaintext;
    if (!openInto(envelope, plaintext, why))
        return std::nullopt;
    return plaintext;
}

bool Channel::openInto(QByteArrayView envelope, QByteArray& out, Refusal* why)
{
    const auto refuse = [why, &out](Refusal r) {
        if (why)
            *why = r;
        out.resize(0);
        return false;
    };
    const auto e = cryptowire::read(envelope, nullptr);
    if (!e)
        return refuse(Refusal::Malformed);
    // The window is checked before the (costlier) decryption and updated only after it authenticated.
    switch (m_window.check(e->counter)) {
    case ReplayWindow::Verdict::Fresh: break;
    case ReplayWindow::Verdict::Duplicate: return refuse(Refusal::Replayed);
    case ReplayWindow::Verdict::TooOld: return refuse(Refusal::TooOld);
    }
    const AssociatedData ad = associatedData(e->counter, m_peer, m_self);
    // crypto_aead_xchacha20poly1305_ietf_decrypt(..., e->nonce, m_keys.receive), with the subkey of the peer's
    // prefix kept from its last envelope that opened (an envelope that does not open changes nothing).
    Prefix prefix;
    std::copy_n(e->nonce.begin(), PrefixBytes, prefix.begin());
    const bool known = m_peerPrefix == prefix;
    crypto::SecretBytes<crypto_core_hchacha20_OUTPUTBYTES> derived;
    if (!known)
        crypto_core_hchacha20(derived.data(), prefix.data(), m_keys.receive.data(), nullptr);
    std::array<unsigned char, crypto_aead_chacha20poly1305_ietf_NPUBBYTES> inner{};
    std::copy(e->nonce.begin() + PrefixBytes, e->nonce.end(), inner.begin() + 4);
    out.resize(e->ciphertext.size() - cryptowire::TagBytes);
    unsigned long long length = 0;
    if (crypto_aead_chacha20poly1305_ietf_decrypt(reinterpret_cast<unsigned char*>(out.data()), &length, nullptr,
                                                  reinterpret_cast<const unsigned char*>(e->ciphertext.data()),
                                                  quint64(e->ciphertext.size()), ad.data(), ad.size(), inner.data(),
                                                  known ? m_receiveSubkey.data() : derived.data()) != 0)
        return refuse(Refusal::Forged);
    if (!known) {
        m_receiveSubkey = derived;
        m_peerPrefix = prefix;
    }
    m_window.accept(e->counter);
    if (why)
        *why = Refusal::None;
    return true;
}
