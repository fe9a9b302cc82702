#include "safename.h"

#include <QCoreApplication>
#include <QSet>

namespace safename {

namespace {

QString tr(const char* text)
{
    return QCoreApplication::translate("safename", text);
}

bool isDeviceName(const QString& name)
{
    // Windows reserves these with any extension ("nul.txt"), ignoring case and trailing spaces before the dot.
    const QString base = name.section(u'.', 0, 0).trimmed().toUpper();
    static const QSet<QString> devices = {QStringLiteral("CON"),   QStringLiteral("PRN"),    QStringLiteral("AUX"),
                                          QStringLiteral("NUL"),   QStringLiteral("CONIN$"), QStringLiteral("CONOUT$"),
                                          QStringLiteral("CLOCK$")};
    if (devices.contains(base))
        return true;
    if (base.size() == 4 && (base.startsWith(QLatin1String("COM")) || base.startsWith(QLatin1String("LPT"))))
        return base[3] >= u'0' && base[3] <= u'9';
    return false;
}

} // namespace

QString checkComponent(const QString& name)
{
    if (name.isEmpty())
        return tr("an empty name");
    if (name == QLatin1String(".") || name == QLatin1String(".."))
        return tr("the name \"%1\" points outside its folder").arg(name);
    if (name.toUtf8().size() > filewire::MaxNameBytes)
        return tr("a name longer than %1 bytes").arg(filewire::MaxNameBytes);
    for (const QChar c : name) {
        const char16_t u = c.unicode();
        if (u < 0x20 || u == 0x7f || (u >= 0x80 && u < 0xa0))
            return tr("a name with a control character");
        if (u == u'/' || u == u'\\')
            return tr("a name with a path separator");
        if (u == u':')
            return tr("a name with ':' (a drive letter or a data stream)");
    }
    if (name.endsWith(u'.') || name.endsWith(u' '))
        return tr("a name that ends in a dot or a space");
    if (isDeviceName(name))
        return tr("the device name \"%1\"").arg(name);
    return {};
}

QString checkPath(const QString& path)
{
    if (path.toUtf8().size() > filewire::MaxPathBytes)
        return tr("a path longer than %1 bytes").arg(filewire::MaxPathBytes);
    if (path.startsWith(u'/') || path.startsWith(u'\\'))
        return tr("an absolute path");
    const QStringList parts = path.split(u'/');
    for (const QString& part : parts)
        if (const QString why = checkComponent(part); !why.isEmpty())
            return why;
    return {};
}

QString checkManifest(const QString& root, const QList<filewire::Entry>& entries)
{
    if (const QString why = checkComponent(root); !why.isEmpty())
        return why;
    QSet<QString> seen;
    QSet<QString> folders;
    for (const filewire::Entry& e : entries) {
        if (const QString why = checkPath(e.path); !why.isEmpty())
            return QStringLiteral("%1: %2").arg(e.path.left(64), why);
        const qsizetype slash = e.path.lastIndexOf(u'/');
        // The parent must be a listed folder spelled exactly so: "boX/sub" is not inside "box".
        if (slash < 0 ? e.path != root : !folders.contains(e.path.left(slash)))
            return tr("%1: outside the offered folder").arg(e.path.left(64));
        const QString key = e.path.toCaseFolded();
        if (seen.contains(key))
            return tr("%1: listed twice").arg(e.path.left(64));
        seen.insert(key);
        if (e.folder)
            folders.insert(e.path);
    }
    return {};
}

} // namespace safename
