#include "autostart.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>
#include <QStandardPaths>

namespace autostart {

QString entryPath()
{
    return QStandardPaths::writableLocation(QStandardPaths::GenericConfigLocation) +
           QStringLiteral("/autostart/pigeon.desktop");
}

bool isEnabled()
{
    return QFileInfo::exists(entryPath());
}

bool setEnabled(bool on, const QString& profileDir, QString* error)
{
    const QString path = entryPath();
    if (!on) {
        if (!QFileInfo::exists(path) || QFile::remove(path))
            return true;
        if (error)
            *error = QCoreApplication::translate("Pigeon", "cannot remove %1").arg(path);
        return false;
    }
    // Desktop Entry Specification, "The Exec key": a quoted argument escapes ", `, $ and \.
    QString exec = QStringLiteral("pigeon");
    if (!profileDir.isEmpty()) {
        QString quoted = profileDir;
        for (const QChar c : {u'\\', u'"', u'`', u'$'})
            quoted.replace(c, QStringLiteral("\\") + c);
        exec += QStringLiteral(" --profile \"%1\"").arg(quoted.replace(u'\\', QStringLiteral("\\\\")));
    }
    const QByteArray entry = "[Desktop Entry]\n"
                             "Type=Application\n"
                             "Name=Pigeon\n"
                             "Comment=Chat across a LAN without any server\n"
                             "Exec=" +
                             exec.toUtf8() +
                             "\n"
                             "Icon=pigeon\n"
                             "Terminal=false\n"
                             "X-GNOME-Autostart-enabled=true\n";
    QSaveFile file(path);
    if (QDir().mkpath(QFileInfo(path).path()) && file.open(QIODevice::WriteOnly) && file.write(entry) == entry.size() &&
        file.commit())
        return true;
    if (error)
        *error = QCoreApplication::translate("Pigeon", "cannot write %1: %2").arg(path, file.errorString());
    return false;
}

} // namespace autostart
