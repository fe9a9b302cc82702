#include "sha256.h"

#include <QIODevice>

#include <openssl/evp.h>

struct Sha256::Context {
    EVP_MD_CTX* md = EVP_MD_CTX_new();
    ~Context() { EVP_MD_CTX_free(md); }
};

Sha256::Sha256()
    : m_context(std::make_unique<Context>())
{
    // Allocation failure of a few bytes is as fatal here as a failed new.
    if (!m_context->md || EVP_DigestInit_ex(m_context->md, EVP_sha256(), nullptr) != 1)
        qFatal("Sha256: libcrypto cannot hash");
}

Sha256::~Sha256() = default;

void Sha256::addData(QByteArrayView bytes)
{
    EVP_DigestUpdate(m_context->md, bytes.data(), size_t(bytes.size()));
}

bool Sha256::addData(QIODevice* device)
{
    // 256 KiB at a time: few system calls, and the buffer stays in the cache.
    QByteArray buffer(256 * 1024, Qt::Uninitialized);
    for (;;) {
        const qint64 n = device->read(buffer.data(), buffer.size());
        if (n < 0)
            return false;
        if (n == 0)
            return device->atEnd();
        addData(QByteArrayView(buffer.constData(), n));
    }
}

QByteArray Sha256::result()
{
    QByteArray out(32, Qt::Uninitialized);
    unsigned int length = 0;
    EVP_DigestFinal_ex(m_context->md, reinterpret_cast<unsigned char*>(out.data()), &length);
    out.truncate(qsizetype(length));
    return out;
}

QByteArray Sha256::hash(QByteArrayView bytes)
{
    Sha256 h;
    h.addData(bytes);
    return h.result();
}
