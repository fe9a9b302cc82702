#include "textcodec.h"

#include <QStringDecoder>
#include <QStringEncoder>

#include <algorithm>
#include <optional>

namespace textcodec {

namespace {

// ICU names: GB18030 for GBK, windows-31j (ibm-943_P15A-2003) for CP932, so that 81 60 is ～ (U+FF5E) as on Windows.
const char* icuName(TextEncoding encoding)
{
    return encoding == TextEncoding::Cp932 ? "windows-31j" : "GB18030";
}

bool isLegacy(TextEncoding encoding)
{
    return encoding == TextEncoding::Gbk || encoding == TextEncoding::Cp932;
}

QString decodeLegacy(const QByteArray& bytes, TextEncoding encoding)
{
    QStringDecoder decoder(icuName(encoding), QStringConverter::Flag::Stateless);
    if (!decoder.isValid())
        return QString::fromUtf8(bytes); // no ICU: UTF-8 with replacement characters is all that is left
    // A stateless decoder silently drops an incomplete sequence at the end ("\xc4" decoded to nothing). A newline
    // cannot continue any sequence, so after one the decoder shows the truncated bytes as invalid instead.
    QString decoded = decoder.decode(bytes + '\n');
    if (decoded.endsWith(u'\n'))
        decoded.chop(1);
    // ICU's CP932 table marks invalid bytes with SUB (U+001A), not U+FFFD; when SUB was not sent, it stands for them.
    if (encoding == TextEncoding::Cp932 && !bytes.contains('\x1a'))
        decoded.replace(QChar(0x1a), QChar::ReplacementCharacter);
    return decoded;
}

qsizetype characterLength(const QString& text, qsizetype i)
{
    return text.at(i).isHighSurrogate() && i + 1 < text.size() ? 2 : 1;
}

// One character in a legacy encoding, '?' when the encoding lacks it. ICU's converters keep an error through
// resetState() and lose error reporting on move assignment, so after an error the next character gets a new one.
QByteArray encodeCharacter(std::optional<QStringEncoder>& encoder, QStringView character, TextEncoding encoding)
{
    if (!encoder)
        encoder.emplace(icuName(encoding), QStringConverter::Flag::Stateless);
    const QByteArray bytes = encoder->encode(character);
    if (!encoder->hasError())
        return bytes;
    encoder.reset();
    return QByteArrayLiteral("?");
}

} // namespace

bool isValidUtf8(const QByteArray& bytes)
{
    QStringDecoder decoder(QStringConverter::Utf8, QStringConverter::Flag::Stateless);
    const QString ignored = decoder.decode(bytes);
    return !decoder.hasError();
}

QString decode(const QByteArray& bytes, bool flaggedUtf8, TextEncoding expected, TextEncoding legacy)
{
    if (flaggedUtf8)
        return QString::fromUtf8(bytes);
    if (isLegacy(expected))
        return decodeLegacy(bytes, expected);
    QStringDecoder utf8(QStringConverter::Utf8, QStringConverter::Flag::Stateless);
    QString text = utf8.decode(bytes);
    if (!utf8.hasError() || !isLegacy(legacy))
        return text;
    return decodeLegacy(bytes, legacy);
}

QByteArray encode(const QString& text, TextEncoding encoding)
{
    if (!isLegacy(encoding))
        return text.toUtf8();
    QStringEncoder encoder(icuName(encoding), QStringConverter::Flag::Stateless);
    if (!encoder.isValid())
        return text.toUtf8();
    QByteArray out = encoder.encode(text);
    if (!encoder.hasError())
        return out;
    // Only CP932 lacks characters (GB18030 has them all). ICU would write FC FC for each; '?' reads as "missing".
    std::optional<QStringEncoder> one;
    out.clear();
    for (qsizetype i = 0; i < text.size();) {
        const qsizetype n = characterLength(text, i);
        out += encodeCharacter(one, QStringView(text).mid(i, n), encoding);
        i += n;
    }
    return out;
}

QList<QByteArray> split(const QString& text, TextEncoding encoding, qsizetype maxBytes)
{
    QList<QByteArray> parts;
    QByteArray whole = encode(text, encoding);
    if (whole.size() <= maxBytes) {
        parts.append(whole);
        return parts;
    }
    if (!isLegacy(encoding)) {
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
    // GB18030 and CP932 are not (a trail byte can look like a lead byte or ASCII): encode character by character.
    std::optional<QStringEncoder> encoder;
    QByteArray part;
    for (qsizetype i = 0; i < text.size();) {
        const qsizetype n = characterLength(text, i);
        const QByteArray bytes = encodeCharacter(encoder, QStringView(text).mid(i, n), encoding);
        if (part.size() + bytes.size() > maxBytes)
            parts.append(std::exchange(part, {}));
        part += bytes;
        i += n;
    }
    parts.append(part);
    return parts;
}

QString bounded(const QString& text, qsizetype maxChars)
{
    if (text.size() <= maxChars)
        return text;
    qsizetype end = maxChars;
    if (end > 0 && text.at(end - 1).isHighSurrogate())
        --end;
    return text.left(end);
}

QString printable(const QString& text)
{
    // Most text needs no change: then it is returned as it is (shared, not copied). What is decided here is exactly
    // what the loop below changes.
    const auto changes = [](char16_t u) {
        if (u < 0xa0) // printable ASCII and tabs stay, other C0 and C1 controls and DEL change
            return (u < 0x20 || u >= 0x7f) && u != u'\t';
        return (u >= 0x202a && u <= 0x202e) || (u >= 0x2066 && u <= 0x2069);
    };
    if (std::none_of(text.cbegin(), text.cend(), [&](QChar c) { return changes(c.unicode()); }))
        return text;
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
    switch (encoding) {
    case TextEncoding::Utf8: return QStringLiteral("utf-8");
    case TextEncoding::Gbk: return QStringLiteral("gbk");
    case TextEncoding::Cp932: return QStringLiteral("cp932");
    case TextEncoding::Auto: break;
    }
    return QStringLiteral("auto");
}

std::optional<TextEncoding> encodingFromName(const QString& name)
{
    const QString n = name.trimmed().toLower();
    if (n == u"utf-8" || n == u"utf8")
        return TextEncoding::Utf8;
    if (n == u"gbk" || n == u"gb2312" || n == u"gb18030")
        return TextEncoding::Gbk;
    if (n == u"cp932" || n == u"shift_jis" || n == u"shift-jis" || n == u"sjis" || n == u"windows-31j")
        return TextEncoding::Cp932;
    if (n == u"auto")
        return TextEncoding::Auto;
    return std::nullopt;
}

TextEncoding legacyEncodingFor(const QLocale& locale)
{
    return locale.language() == QLocale::Japanese ? TextEncoding::Cp932 : TextEncoding::Gbk;
}

} // namespace textcodec
