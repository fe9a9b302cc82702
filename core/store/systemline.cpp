#include "systemline.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLocale>

namespace {

const QString Prefix = QStringLiteral("\x01tr");

} // namespace

namespace systemline {

QString make(const char* context, const char* source, const QList<QStringList>& arguments)
{
    QJsonArray line{QString::fromUtf8(context), QString::fromUtf8(source)};
    for (const QStringList& argument : arguments)
        line.append(QJsonArray::fromStringList(argument));
    return Prefix + QString::fromUtf8(QJsonDocument(line).toJson(QJsonDocument::Compact));
}

QString render(const QString& stored)
{
    if (!stored.startsWith(Prefix))
        return stored;
    const QJsonDocument document = QJsonDocument::fromJson(stored.mid(Prefix.size()).toUtf8());
    const QJsonArray line = document.array();
    if (!document.isArray() || line.size() < 2 || !line[0].isString() || !line[1].isString())
        return stored;
    QStringList arguments;
    for (qsizetype i = 2; i < line.size(); ++i) {
        QStringList texts;
        for (const QJsonValue& text : line[i].toArray())
            texts.append(text.toString());
        arguments.append(QLocale().createSeparatedList(texts));
    }
    const QString pattern =
        QCoreApplication::translate(line[0].toString().toUtf8().constData(), line[1].toString().toUtf8().constData());
    // One pass over the pattern, so that an argument's own "%2" is not filled in turn.
    QString out;
    for (qsizetype i = 0; i < pattern.size(); ++i) {
        const qsizetype n = i + 1 < pattern.size() ? pattern[i + 1].digitValue() : -1;
        if (pattern[i] == u'%' && n >= 1 && n <= arguments.size()) {
            out += arguments[n - 1];
            ++i;
        } else {
            out += pattern[i];
        }
    }
    return out;
}

} // namespace systemline
