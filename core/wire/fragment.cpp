#include "fragment.h"

namespace fragment {

QByteArray encode(const Part& part)
{
    QByteArray out = QByteArray::number(part.messageNo) + ':' + QByteArray::number(part.index) + ':' +
                     QByteArray::number(part.count) + ':';
    out += part.bytes;
    return out;
}

std::optional<Part> decode(QByteArrayView extension, QString* error)
{
    const auto fail = [&](const char* why) -> std::optional<Part> {
        if (error)
            *error = QString::fromLatin1(why);
        return std::nullopt;
    };
    quint64 numbers[3] = {};
    qsizetype pos = 0;
    for (quint64& n : numbers) {
        const qsizetype colon = extension.indexOf(':', pos);
        if (colon < 0 || colon == pos || colon - pos > 20)
            return fail("part header is not messageNo:index:count:");
        bool ok = false;
        n = extension.sliced(pos, colon - pos).toULongLong(&ok);
        if (!ok)
            return fail("part header has a field that is not a number");
        pos = colon + 1;
    }
    Part part;
    part.messageNo = numbers[0];
    if (numbers[2] < 1 || numbers[2] > quint64(MaxParts))
        return fail("part count out of range");
    if (numbers[1] >= numbers[2])
        return fail("part index not below the count");
    part.index = int(numbers[1]);
    part.count = int(numbers[2]);
    part.bytes = extension.sliced(pos).toByteArray();
    if (part.bytes.size() > PartBytes)
        return fail("part longer than a part may be");
    return part;
}

QList<QByteArray> split(const QByteArray& text, qsizetype partBytes)
{
    Q_ASSERT(partBytes > 0 && partBytes <= PartBytes);
    QList<QByteArray> parts;
    for (qsizetype pos = 0; pos < text.size(); pos += partBytes)
        parts.append(text.mid(pos, partBytes));
    if (parts.isEmpty())
        parts.append(QByteArray());
    return parts;
}

} // namespace fragment

Reassembler::Result Reassembler::add(const Endpoint& from, const fragment::Part& part, qint64 nowMs)
{
    expire(nowMs);
    const Key key{from, part.messageNo};
    auto it = m_messages.find(key);
    if (it == m_messages.end() && part.count == 1)
        return {Outcome::Complete, part.bytes, {}};
    if (it != m_messages.end()) {
        if (it->parts.size() != part.count)
            return {Outcome::Refused, {}, QStringLiteral("part count differs from earlier parts of the message")};
        it->lastMs = nowMs;
        if (!it->parts[part.index].isNull())
            return {Outcome::Duplicate, {}, {}};
    }
    if (m_heldBytes + part.bytes.size() > m_limits.maxBytes)
        return {Outcome::Refused, {}, QStringLiteral("too much of long messages is held")};
    if (it == m_messages.end()) {
        if (m_messages.size() >= m_limits.maxPending)
            return {Outcome::Refused, {}, QStringLiteral("too many long messages are half received")};
        int fromSource = 0;
        for (auto other = m_messages.cbegin(); other != m_messages.cend(); ++other)
            fromSource += other.key().from == from;
        if (fromSource >= m_limits.maxPendingPerSource)
            return {Outcome::Refused, {}, QStringLiteral("this sender has too many long messages half received")};
        it = m_messages.insert(key, Pending{});
        it->parts.resize(part.count);
        it->lastMs = nowMs;
    }
    Pending& p = *it;
    // An empty part still counts as received: keep a non-null value.
    p.parts[part.index] = part.bytes.isNull() ? QByteArray("") : part.bytes;
    p.bytes += part.bytes.size();
    m_heldBytes += part.bytes.size();
    if (++p.received < part.count)
        return {Outcome::Stored, {}, {}};
    QByteArray text;
    text.reserve(p.bytes);
    for (const QByteArray& bytes : std::as_const(p.parts))
        text += bytes;
    m_heldBytes -= p.bytes;
    m_messages.erase(it);
    return {Outcome::Complete, text, {}};
}

int Reassembler::expire(qint64 nowMs)
{
    int dropped = 0;
    for (auto it = m_messages.begin(); it != m_messages.end();) {
        if (nowMs - it->lastMs > m_limits.timeoutMs) {
            m_heldBytes -= it->bytes;
            it = m_messages.erase(it);
            ++dropped;
        } else {
            ++it;
        }
    }
    return dropped;
}
