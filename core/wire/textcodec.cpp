#include "textcodec.h"

#include <QStringDecoder>
#include <QStringEncoder>

namespace textcodec {

bool isValidUtf8(const QByteArray& bytes)
{
    QStringDecoder decoder(QStringConverter::Utf8, QStringConverter::Flag::Stateless);
    const QString ignored = decoder.decode(bytes);
    return !decoder.hasError();
}

QString decode(const QByteArray& bytes, bool flaggedUtf8, TextEncoding expected)
{
    if (flaggedUtf8)
        return QString::fromUtf8(bytes);
    QString text;
    if (expected == TextEncoding::Utf8) {
        QStringDecoder utf8(QStringConverter::Utf8, QStringConverter::Flag::Stateless);
        text = utf8.decode(bytes);
        if (!utf8.hasError())
            return text;
    }
    QStringDecoder gb18030("GB18030", QStringConverter::Flag::Stateless);
    if (gb18030.isValid()) {
        // A stateless decoder silently drops an incomplete sequence at the end ("\xc4" decoded to nothing). A newline
        // cannot continue any sequence, so after one the decoder shows the truncated bytes as U+FFFD instead.
        QString decoded = gb18030.decode(bytes + '\n');
        if (decoded.endsWith(u'\n'))
            decoded.chop(1);
        return decoded;
    }
    return text.isNull() ? QString::fromUtf8(bytes) : text; // no ICU: UTF-8 with replacement characters is all left
}

QByteArray encode(const QString& text, TextEncoding encoding)
{
    if (encoding == TextEncoding::Gbk) {
        // GB18030 encodes every code point and is byte-identical to GBK for the characters GBK has.
        QStringEncoder gb18030("GB18030", QStringConverter::Flag::Stateless);
        if (gb18030.isValid())
            return gb18030.encode(text);
    }
    return text.toUtf8();
}

QList<QByteArray> split(const QString& text, TextEncoding encoding, qsizetype maxBytes)
{
    QList<QByteArray> parts;
    QByteArray whole = encode(text, encoding);
    if (whole.size() <= maxBytes) {
        parts.append(whole);
        return parts;
    }
    if (encoding == TextEncoding::Utf8) {
        // UTF-8 is self-synchronising: back off from a continuation byte to the start of its character.
        for (qsizetype pos = 0; pos < whole.size();) {
            qsizetype end = std::min(pos + maxBytes, whole.size());
            while (end < whole.size() && end > pos + 1 && (uchar(whole[end]) & 0xc0) == 0x80)
                --end;
            parts.append(whole.mid(pos, end - pos));
            pos = end;
        }
        return parts;
    }
    // GB18030 is not: encode character by character with one converter.
    QStringEncoder encoder("GB18030", QStringConverter::Flag::Stateless);
    QByteArray part;
    for (qsizetype i = 0; i < text.size();) {
        const qsizetype n = text.at(i).isHighSurrogate() && i + 1 < text.size() ? 2 : 1;
        const QByteArray bytes = encoder.encode(QStringView(text).mid(i, n));
        if (part.size() + bytes.size() > maxBytes)
            parts.append(std::exchange(part, {}));
        part += bytes;
        i += n;
    }
    parts.append(part);
    return parts;
}

QString printable(const QString& text)
{
    QString out;
    out.reserve(text.size());
    for (QChar c : text) {
        const char16_t u = c.unicode();
        if (u == u'\n')
            out += QStringLiteral("\n    ");
        else if (u == u'\t')
            out += c;
        else if (u < 0x20)
            out += u'^' + QChar(u + 0x40);
        else if (u == 0x7f || (u >= 0x80 && u < 0xa0) || (u >= 0x202a && u <= 0x202e) || (u >= 0x2066 && u <= 0x2069))
            out += QStringLiteral("\\u%1").arg(u, 4, 16, QLatin1Char('0'));
        else
            out += c;
    }
    return out;
}

QString encodingName(TextEncoding encoding)
{
    return encoding == TextEncoding::Gbk ? QStringLiteral("gbk") : QStringLiteral("utf-8");
}

std::optional<TextEncoding> encodingFromName(const QString& name)
{
    const QString n = name.trimmed().toLower();
    if (n == u"utf-8" || n == u"utf8")
        return TextEncoding::Utf8;
    if (n == u"gbk" || n == u"gb2312" || n == u"gb18030")
        return TextEncoding::Gbk;
    return std::nullopt;
}

} // namespace textcodec
