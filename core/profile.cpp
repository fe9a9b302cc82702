#include "profile.h"

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QDir>
#include <QFileInfo>
#include <QLocalSocket>
#include <QSettings>
#include <QStandardPaths>

#include "endpoint.h"
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
    const QString port = QSettings(settingsPath(), QSettings::IniFormat)
                             .value(QStringLiteral("network/port"), ipmsg::DefaultPort)
                             .toString();
    return parsePort(port).value_or(ipmsg::DefaultPort);
}

std::optional<quint16> Profile::recordedPort() const
{
    const QVariant port = QSettings(settingsPath(), QSettings::IniFormat).value(QStringLiteral("network/port"));
    return port.isValid() ? parsePort(port.toString()) : std::nullopt;
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

TextEncoding Profile::legacyEncoding() const
{
    const QString name =
        QSettings(settingsPath(), QSettings::IniFormat).value(QStringLiteral("network/legacyEncoding")).toString();
    const auto encoding = textcodec::encodingFromName(name);
    if (encoding == TextEncoding::Gbk || encoding == TextEncoding::Cp932)
        return *encoding;
    return textcodec::legacyEncodingFor(QLocale::system());
}

void Profile::setLegacyEncoding(TextEncoding encoding)
{
    QSettings(settingsPath(), QSettings::IniFormat)
        .setValue(QStringLiteral("network/legacyEncoding"), textcodec::encodingName(encoding));
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

bool Profile::startHidden() const
{
    return QSettings(settingsPath(), QSettings::IniFormat).value(QStringLiteral("window/startHidden"), false).toBool();
}

void Profile::setStartHidden(bool on)
{
    QSettings(settingsPath(), QSettings::IniFormat).setValue(QStringLiteral("window/startHidden"), on);
}

QString Profile::downloadFolder() const
{
    return QSettings(settingsPath(), QSettings::IniFormat).value(QStringLiteral("files/downloads")).toString();
}

void Profile::setDownloadFolder(const QString& folder)
{
    QSettings(settingsPath(), QSettings::IniFormat).setValue(QStringLiteral("files/downloads"), folder);
}

bool Profile::autoAcceptFiles() const
{
    return QSettings(settingsPath(), QSettings::IniFormat).value(QStringLiteral("files/autoAccept"), false).toBool();
}

void Profile::setAutoAcceptFiles(bool on)
{
    QSettings(settingsPath(), QSettings::IniFormat).setValue(QStringLiteral("files/autoAccept"), on);
}

quint64 Profile::autoAcceptMaxBytes() const
{
    bool ok = false;
    const quint64 bytes = QSettings(settingsPath(), QSettings::IniFormat)
                              .value(QStringLiteral("files/autoAcceptMaxBytes"), DefaultAutoAcceptBytes)
                              .toULongLong(&ok);
    return ok ? bytes : DefaultAutoAcceptBytes;
}

void Profile::setAutoAcceptMaxBytes(quint64 bytes)
{
    QSettings(settingsPath(), QSettings::IniFormat).setValue(QStringLiteral("files/autoAcceptMaxBytes"), bytes);
}

namespace {

// What a second start sends to the window holding the profile, and the window's answer.
constexpr QByteArrayView ActivateRequest = "activate\n";
constexpr QByteArrayView ActivateAnswer = "ok\n";

QString runtimeDirectory()
{
    // Not QStandardPaths::RuntimeLocation: without XDG_RUNTIME_DIR it warns on every start.
    const QString xdg = qEnvironmentVariable("XDG_RUNTIME_DIR");
    return !xdg.isEmpty() && QFileInfo(xdg).isDir() ? xdg : QDir::tempPath();
}

} // namespace

ProfileLock::ProfileLock(const Profile& profile, QObject* parent)
    : QObject(parent)
    , m_lock(profile.directory() + QStringLiteral("/pigeon.lock"))
{
    // One name per folder however it was spelled (a symbolic link, a trailing slash).
    const QString canonical = QFileInfo(profile.directory()).canonicalFilePath();
    const QByteArray key = (canonical.isEmpty() ? profile.directory() : canonical).toUtf8();
    m_socketPath = runtimeDirectory() + QStringLiteral("/pigeon-") +
                   QString::fromLatin1(QCryptographicHash::hash(key, QCryptographicHash::Sha256).toHex().left(16));
    // Held for as long as Pigeon runs: never stale by age, only when its process is gone.
    m_lock.setStaleLockTime(0);
    m_server.setSocketOptions(QLocalServer::UserAccessOption);
    connect(&m_server, &QLocalServer::newConnection, this, [this] {
        while (QLocalSocket* socket = m_server.nextPendingConnection()) {
            connect(socket, &QLocalSocket::disconnected, socket, &QObject::deleteLater);
            // A probe (holderIsWindow) connects and leaves without a word; only a full request activates.
            connect(socket, &QLocalSocket::readyRead, this, [this, socket] {
                if (!socket->canReadLine())
                    return;
                if (socket->readLine(64) == ActivateRequest) {
                    Q_EMIT activationRequested();
                    socket->write(ActivateAnswer.data(), ActivateAnswer.size());
                    socket->flush();
                }
                socket->disconnectFromServer();
            });
        }
    });
}

ProfileLock::~ProfileLock()
{
    m_server.close();
}

bool ProfileLock::acquire()
{
    if (m_lock.tryLock(0))
        return true;
    if (m_lock.error() != QLockFile::LockFailedError)
        m_error = QCoreApplication::translate("Pigeon", "cannot write the lock file %1 in the profile folder")
                      .arg(m_lock.fileName());
    return false;
}

qint64 ProfileLock::holderPid() const
{
    qint64 pid = 0;
    QString host;
    QString application;
    return m_lock.getLockInfo(&pid, &host, &application) ? pid : 0;
}

bool ProfileLock::holderIsWindow() const
{
    QLocalSocket socket;
    socket.connectToServer(m_socketPath);
    const bool answered = socket.waitForConnected(1000);
    socket.abort();
    return answered;
}

bool ProfileLock::activateHolder(int timeoutMs) const
{
    QLocalSocket socket;
    socket.connectToServer(m_socketPath);
    if (!socket.waitForConnected(timeoutMs))
        return false;
    socket.write(ActivateRequest.data(), ActivateRequest.size());
    if (!socket.waitForBytesWritten(timeoutMs))
        return false;
    while (!socket.canReadLine())
        if (!socket.waitForReadyRead(timeoutMs))
            return false;
    return socket.readLine(64) == ActivateAnswer;
}

bool ProfileLock::listen()
{
    if (m_server.listen(m_socketPath))
        return true;
    // Holding the lock means no live window owns the socket: the file is a crashed run's.
    QLocalServer::removeServer(m_socketPath);
    if (m_server.listen(m_socketPath))
        return true;
    m_error = m_server.errorString();
    return false;
}

PeerStatus Profile::status() const
{
    const QSettings settings(settingsPath(), QSettings::IniFormat);
    const auto status = presence::statusFromName(settings.value(QStringLiteral("status/status")).toString());
    if (!status || *status == Status::Online)
        return {};
    return {*status, presence::cleanText(settings.value(QStringLiteral("status/text")).toString())};
}

void Profile::setStatus(const PeerStatus& status)
{
    QSettings settings(settingsPath(), QSettings::IniFormat);
    settings.setValue(QStringLiteral("status/status"), presence::statusName(status.status));
    settings.setValue(QStringLiteral("status/text"), status.text);
}

int Profile::awayAfterMinutes() const
{
    const int minutes =
        QSettings(settingsPath(), QSettings::IniFormat).value(QStringLiteral("status/awayAfterMinutes"), 10).toInt();
    return std::clamp(minutes, 0, MaxAwayAfterMinutes);
}

void Profile::setAwayAfterMinutes(int minutes)
{
    QSettings(settingsPath(), QSettings::IniFormat)
        .setValue(QStringLiteral("status/awayAfterMinutes"), std::clamp(minutes, 0, MaxAwayAfterMinutes));
}

QString Profile::idleAwayText() const
{
    return presence::cleanText(
        QSettings(settingsPath(), QSettings::IniFormat).value(QStringLiteral("status/idleAwayText")).toString());
}

void Profile::setIdleAwayText(const QString& text)
{
    QSettings(settingsPath(), QSettings::IniFormat)
        .setValue(QStringLiteral("status/idleAwayText"), presence::cleanText(text));
}
