#include "profile.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QSettings>
#include <QStandardPaths>

#include "ipmsg.h"

Profile::Profile(const QString& directory)
    : m_directory(directory.isEmpty() ? QStandardPaths::writableLocation(QStandardPaths::AppDataLocation)
                                      : QDir(directory).absolutePath())
{
}

bool Profile::ensureExists(QString* error) const
{
    if (!QDir().mkpath(m_directory)) {
        if (error)
            *error = QCoreApplication::translate("Pigeon", "cannot create the profile folder %1").arg(m_directory);
        return false;
    }
    if (!QFileInfo(m_directory).isWritable()) {
        if (error)
            *error = QCoreApplication::translate("Pigeon", "the profile folder %1 is not writable").arg(m_directory);
        return false;
    }
    return true;
}

QString Profile::nickname() const
{
    return QSettings(settingsPath(), QSettings::IniFormat).value(QStringLiteral("identity/nickname")).toString();
}

void Profile::setNickname(const QString& nick)
{
    QSettings(settingsPath(), QSettings::IniFormat).setValue(QStringLiteral("identity/nickname"), nick);
}

quint16 Profile::port() const
{
    const uint port = QSettings(settingsPath(), QSettings::IniFormat)
                          .value(QStringLiteral("network/port"), ipmsg::DefaultPort)
                          .toUInt();
    return port >= 1 && port <= 65535 ? quint16(port) : ipmsg::DefaultPort;
}

void Profile::setPort(quint16 port)
{
    QSettings(settingsPath(), QSettings::IniFormat).setValue(QStringLiteral("network/port"), port);
}

QHostAddress Profile::bindAddress() const
{
    const QString text =
        QSettings(settingsPath(), QSettings::IniFormat).value(QStringLiteral("network/bind")).toString();
    QHostAddress address;
    return !text.isEmpty() && address.setAddress(text) ? address : QHostAddress(QHostAddress::Any);
}

void Profile::setBindAddress(const QHostAddress& address)
{
    QSettings(settingsPath(), QSettings::IniFormat)
        .setValue(QStringLiteral("network/bind"), address == QHostAddress::Any ? QString() : address.toString());
}

bool Profile::broadcast() const
{
    return QSettings(settingsPath(), QSettings::IniFormat).value(QStringLiteral("network/broadcast"), false).toBool();
}

void Profile::setBroadcast(bool on)
{
    QSettings(settingsPath(), QSettings::IniFormat).setValue(QStringLiteral("network/broadcast"), on);
}

bool Profile::contactsOnly() const
{
    return QSettings(settingsPath(), QSettings::IniFormat)
        .value(QStringLiteral("privacy/contactsOnly"), false)
        .toBool();
}

void Profile::setContactsOnly(bool on)
{
    QSettings(settingsPath(), QSettings::IniFormat).setValue(QStringLiteral("privacy/contactsOnly"), on);
}
