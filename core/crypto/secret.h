#pragma once

#include <sodium.h>

#include <QtGlobal>

#include <algorithm>
#include <array>
#include <cstddef>

// Small pieces every unit of core/crypto/ shares: libsodium's one-time start and key bytes that wipe themselves.
namespace crypto {

// Starts libsodium (sodium_init: picks the CPU-specific code, seeds its random generator). Safe to call from any
// thread, any number of times; false only when libsodium cannot work on this system (no randomness source).
bool ready();

// N bytes of secret key material, wiped with sodium_memzero when destroyed or overwritten, so a session or identity
// key does not outlive its owner in freed memory. Not copyable by accident: copies are explicit (assign()).
template <std::size_t N>
class SecretBytes {
public:
    SecretBytes() = default;
    ~SecretBytes() { wipe(); }
    SecretBytes(const SecretBytes& other) { assign(other.data()); }
    SecretBytes& operator=(const SecretBytes& other)
    {
        if (this != &other)
            assign(other.data());
        return *this;
    }

    static constexpr std::size_t size() { return N; }
    unsigned char* data() { return m_bytes.data(); }
    const unsigned char* data() const { return m_bytes.data(); }
    void assign(const unsigned char* bytes) { std::copy(bytes, bytes + N, m_bytes.begin()); }
    void wipe() { sodium_memzero(m_bytes.data(), N); }

private:
    std::array<unsigned char, N> m_bytes{};
};

// An Ed25519 public identity key (crypto_sign), the long-term name of a Pigeon: 32 bytes.
using IdentityKey = std::array<unsigned char, crypto_sign_PUBLICKEYBYTES>;

} // namespace crypto
