#pragma once

#include <QByteArray>
#include <QByteArrayView>

#include <memory>

class QIODevice;

// SHA-256 (FIPS 180-4) of file contents and manifests, through OpenSSL's libcrypto (EVP), which picks the CPU's
// SHA extensions or vector code. Why not QCryptographicHash: Qt 6.4's SHA-256 is portable C; on the reference
// machine it hashes 59 MiB/s against libcrypto's 390 MiB/s, and a transfer hashes every byte twice (the sender
// when it offers, the receiver before the rename), which made hashing half the time a 64 MiB file took on loopback.
// The digests are the same, byte for byte (tests compute theirs with QCryptographicHash).
class Sha256 {
public:
    Sha256();
    ~Sha256();
    Sha256(const Sha256&) = delete;
    Sha256& operator=(const Sha256&) = delete;

    void addData(QByteArrayView bytes);
    // Reads `device` to its end; false on a read error (the device's errorString() says which).
    bool addData(QIODevice* device);
    // The 32-byte digest; the object is spent afterwards.
    QByteArray result();

    static QByteArray hash(QByteArrayView bytes);

private:
    struct Context;
    std::unique_ptr<Context> m_context;
};
