#include "textcodec.h"

#include <QStringDecoder>
#include <QStringEncoder>

namespace textcodec {

bool isValidUtf8(const QByteArray& bytes) {
    QStringDecoder decoder(QStringConverter::Utf8, QStringConverter::Flag::Stateless);
    const QString ignored = decoder.decode(bytes);
    return !decoder.hasError();
}

QString decode(const QByteArray& bytes, bool flaggedUtf8) {
    if (flaggedUtf8)
        return QString::fromUtf8(bytes);
    QStringDecoder utf8(QStringConverter::Utf8, QStringConverter::Flag::Stateless);
    QString text = utf8.decode(bytes);
    if (!utf8.hasError())
        return text;
    QStringDecoder gb18030("GB18030", QStringConverter::Flag::Stateless);
    if (gb18030.isValid())
        return gb18030.decode(bytes);
    return text; // no ICU: UTF-8 with replacement characters is the best left
}

QByteArray encode(const QString& text, TextEncoding encoding) {
    if (encoding == TextEncoding::Gbk) {
        // GB18030 encodes every code point and is byte-identical to GBK for the characters GBK has.
        QStringEncoder gb18030("GB18030", QStringConverter::Flag::Stateless);
        if (gb18030.isValid())
            return gb18030.encode(text);
    }
    return text.toUtf8();
}

QString encodingName(TextEncoding encoding) {
    return encoding == TextEncoding::Gbk ? QStringLiteral("gbk") : QStringLiteral("utf-8");
}

std::optional<TextEncoding> encodingFromName(const QString& name) {
    const QString n = name.trimmed().toLower();
    if (n == u"utf-8" || n == u"utf8")
        return TextEncoding::Utf8;
    if (n == u"gbk" || n == u"gb2312" || n == u"gb18030")
        return TextEncoding::Gbk;
    return std::nullopt;
}

} // namespace textcodec
