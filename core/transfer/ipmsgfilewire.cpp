#include "ipmsgfilewire.h"

#include <QCoreApplication>

namespace ipmsgfiles {

namespace {

QString tr(const char* text)
{
    return QCoreApplication::translate("ipmsgfiles", text);
}

bool fail(QString* error, const QString& why)
{
    if (error)
        *error = why;
    return false;
}

// A number of at most MaxNumberChars digits in `base`, nothing else.
std::optional<quint64> number(QByteArrayView field, int base)
{
    if (field.isEmpty() || field.size() > MaxNumberChars)
        return std::nullopt;
    quint64 value = 0;
    for (const char c : field) {
        int digit = -1;
        if (c >= '0' && c <= '9')
            digit = c - '0';
        else if (base == 16 && c >= 'a' && c <= 'f')
            digit = c - 'a' + 10;
        else if (base == 16 && c >= 'A' && c <= 'F')
            digit = c - 'A' + 10;
        if (digit < 0 || value > (std::numeric_limits<quint64>::max() - quint64(digit)) / quint64(base))
            return std::nullopt;
        value = value * quint64(base) + quint64(digit);
    }
    return value;
}

bool read(QByteArrayView field, int base, quint64* out, quint64 max = std::numeric_limits<quint64>::max())
{
    const auto value = number(field, base);
    *out = value.value_or(0);
    return value.has_value() && *out <= max;
}

// Reads a name from `at` up to the first ':' that is not part of "::"; *at ends past that ':'. Empty when there is
// no end.
std::optional<QByteArray> readName(QByteArrayView bytes, qsizetype* at)
{
    QByteArray name;
    qsizetype i = *at;
    while (i < bytes.size()) {
        const char c = bytes[i];
        if (c == ':') {
            if (i + 1 < bytes.size() && bytes[i + 1] == ':') {
                name.append(':');
                i += 2;
                continue;
            }
            *at = i + 1;
            return name;
        }
        name.append(c);
        ++i;
        if (name.size() > MaxNameBytes)
            return std::nullopt;
    }
    return std::nullopt;
}

// The ':'-separated fields of `bytes`, without the empty one after a final ':'.
QList<QByteArrayView> fields(QByteArrayView bytes)
{
    QList<QByteArrayView> out;
    qsizetype start = 0;
    for (qsizetype i = 0; i <= bytes.size(); ++i) {
        if (i == bytes.size() || bytes[i] == ':') {
            if (i > start || i < bytes.size())
                out.append(bytes.sliced(start, i - start));
            start = i + 1;
        }
    }
    return out;
}

// The value of extended attribute `key` (hex, "14=5f00") among `extra`, 0 when absent.
quint64 extended(const QList<QByteArrayView>& extra, qsizetype from, quint64 key)
{
    for (qsizetype i = from; i < extra.size(); ++i) {
        const qsizetype eq = extra[i].indexOf('=');
        if (eq > 0 && number(extra[i].first(eq), 16) == key)
            return number(extra[i].sliced(eq + 1), 16).value_or(0);
    }
    return 0;
}

constexpr quint64 MaxSize = quint64(1) << 62;
constexpr quint64 MtimeKey = 0x14; // IPMSG_FILE_MTIME

} // namespace

QByteArray escapeName(QByteArrayView name)
{
    QByteArray out;
    out.reserve(name.size());
    for (const char c : name) {
        out.append(c);
        if (c == ':')
            out.append(':');
    }
    return out;
}

std::optional<QList<Attachment>> decodeAttachments(QByteArrayView bytes, QString* error)
{
    while (!bytes.isEmpty() && bytes.back() == '\0')
        bytes.chop(1);
    QList<Attachment> out;
    qsizetype at = 0;
    while (at < bytes.size()) {
        // Between entries: the BEL already consumed, a ':' (iptux's broadcast form), line ends some clients add.
        if (bytes[at] == ':' || bytes[at] == '\a' || bytes[at] == '\n' || bytes[at] == '\r') {
            ++at;
            continue;
        }
        if (out.size() >= MaxAttachments) {
            fail(error, tr("more than %1 files in one offer").arg(MaxAttachments));
            return std::nullopt;
        }
        const qsizetype colon = bytes.indexOf(':', at);
        quint64 id = 0;
        if (colon <= at || !read(bytes.sliced(at, colon - at), 10, &id, std::numeric_limits<quint32>::max())) {
            fail(error, tr("a file number that is no number"));
            return std::nullopt;
        }
        at = colon + 1;
        const auto name = readName(bytes, &at);
        if (!name || name->isEmpty()) {
            fail(error, tr("a file name that is empty, too long or not ended"));
            return std::nullopt;
        }
        qsizetype end = bytes.indexOf('\a', at);
        if (end < 0)
            end = bytes.size();
        const QList<QByteArrayView> f = fields(bytes.sliced(at, end - at));
        at = end;
        quint64 size = 0;
        quint64 mtime = 0;
        quint64 attr = 0;
        if (f.size() < 3 || !read(f[0], 16, &size, MaxSize) || !read(f[1], 16, &mtime) ||
            !read(f[2], 16, &attr, std::numeric_limits<quint32>::max())) {
            fail(error, tr("a file entry without a valid size, time or kind"));
            return std::nullopt;
        }
        out.append({quint32(id), *name, size, mtime, quint32(attr)});
    }
    if (out.isEmpty()) {
        fail(error, tr("an empty list of files"));
        return std::nullopt;
    }
    return out;
}

QByteArray encodeAttachments(const QList<Attachment>& attachments)
{
    QByteArray out;
    for (const Attachment& a : attachments)
        out += QByteArray::number(a.fileId) + ':' + escapeName(a.name) + ':' + QByteArray::number(a.size, 16) + ':' +
               QByteArray::number(a.mtime, 16) + ':' + QByteArray::number(a.attr, 16) + ":\a";
    return out;
}

std::optional<FileRequest> decodeRequest(QByteArrayView extension, QString* error)
{
    const qsizetype nul = extension.indexOf('\0');
    if (nul >= 0)
        extension.truncate(nul);
    const QList<QByteArrayView> f = fields(extension);
    quint64 packetNo = 0;
    quint64 fileId = 0;
    quint64 offset = 0;
    if (f.size() < 2 || f.size() > 3 || !read(f[0], 16, &packetNo) ||
        !read(f[1], 16, &fileId, std::numeric_limits<quint32>::max()) || (f.size() == 3 && !read(f[2], 16, &offset))) {
        fail(error, tr("a file request that is not packetNo:fileID:offset"));
        return std::nullopt;
    }
    return FileRequest{packetNo, quint32(fileId), offset};
}

QByteArray encodeRequest(const FileRequest& r, bool withOffset)
{
    QByteArray out = QByteArray::number(r.packetNo, 16) + ':' + QByteArray::number(r.fileId, 16);
    if (withOffset)
        out += ':' + QByteArray::number(r.offset, 16);
    return out;
}

ParseStatus parseHeader(QByteArrayView bytes, Header* header, qsizetype* consumed, QString* error)
{
    const qsizetype colon = bytes.first(std::min(bytes.size(), MaxNumberChars + 1)).indexOf(':');
    if (colon < 0) {
        if (bytes.size() <= MaxNumberChars)
            return ParseStatus::NeedMore;
        fail(error, tr("a folder header without its size"));
        return ParseStatus::Error;
    }
    quint64 headerSize = 0;
    if (!read(bytes.first(colon), 16, &headerSize, quint64(MaxHeaderBytes)) || headerSize < quint64(colon) + 7) {
        fail(error, tr("a folder header whose size is no number, too small or over %1 bytes").arg(MaxHeaderBytes));
        return ParseStatus::Error;
    }
    if (bytes.size() < qsizetype(headerSize))
        return ParseStatus::NeedMore;
    const QByteArrayView head = bytes.first(qsizetype(headerSize));
    if (head.back() != ':') {
        fail(error, tr("a folder header that does not end where its size says"));
        return ParseStatus::Error;
    }
    qsizetype at = colon + 1;
    const auto name = readName(head, &at);
    if (!name || name->isEmpty()) {
        fail(error, tr("a folder header whose name is empty or too long"));
        return ParseStatus::Error;
    }
    const QList<QByteArrayView> f = fields(head.sliced(at));
    quint64 size = 0;
    quint64 attr = 0;
    if (f.size() < 2 || !read(f[0], 16, &size, MaxSize) ||
        !read(f[1], 16, &attr, std::numeric_limits<quint32>::max())) {
        fail(error, tr("a folder header without a valid size or kind"));
        return ParseStatus::Error;
    }
    *header = {*name, size, quint32(attr), extended(f, 2, MtimeKey)};
    *consumed = qsizetype(headerSize);
    return ParseStatus::Ok;
}

QByteArray encodeHeader(const Header& h)
{
    QByteArray rest = ':' + escapeName(h.name) + ':' + QByteArray::number(h.size, 16) + ':' +
                      QByteArray::number(h.attr, 16) + ':' + QByteArray::number(MtimeKey, 16) + '=' +
                      QByteArray::number(h.mtime, 16) + ':';
    // The size counts its own digits: 4 of them unless the header is longer than 0xffff bytes.
    qsizetype digits = 4;
    while (QByteArray::number(rest.size() + digits, 16).size() > digits)
        ++digits;
    return QByteArray::number(rest.size() + digits, 16).rightJustified(digits, '0') + rest;
}

} // namespace ipmsgfiles
