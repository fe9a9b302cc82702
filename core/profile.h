#pragma once

#include <QHostAddress>
#include <QLocalServer>
#include <QLockFile>
#include <QObject>
#include <QString>

#include "presencestatus.h"
#include "textcodec.h"

// Where one user's files live: the contacts file, the history database and the settings. The default is the
// platform's application data folder; --profile DIR gives a second identity on the same machine.
class Profile {
public:
    explicit Profile(const QString& directory = {});

    QString directory() const { return m_directory; }
    QString contactsPath() const { return m_directory + QStringLiteral("/contacts.ini"); }
    QString historyPath() const { return m_directory + QStringLiteral("/history.sqlite"); }
    QString settingsPath() const { return m_directory + QStringLiteral("/settings.ini"); }
    // Creates the folder; false (with the reason in *error) when it cannot be created or written.
    bool ensureExists(QString* error) const;

    // Settings kept between runs; command-line options override them for one run.
    QString nickname() const;
    void setNickname(const QString& nick);
    quint16 port() const;
    // The port only when one was chosen and saved (Settings or a run that changed it); unset: 2425 by default.
    std::optional<quint16> recordedPort() const;
    void setPort(quint16 port);
    QHostAddress bindAddress() const;
    void setBindAddress(const QHostAddress& address);
    // Announce this Pigeon on the LAN with broadcast entry packets (off unless chosen).
    bool broadcast() const;
    void setBroadcast(bool on);
    // Refuse messages from addresses that are no contact (off unless chosen).
    bool contactsOnly() const;
    void setContactsOnly(bool on);
    // The status the user chose (Online, Away or Busy) and its text: kept across restarts, since a user who said
    // "busy" or "on holiday" expects to still be so after a reboot. An automatic away is never saved.
    PeerStatus status() const;
    void setStatus(const PeerStatus& status);
    // Away after this many minutes without input in the window (0: never; default 10, at most MaxAwayAfterMinutes),
    // with this text as the automatic answer (may be empty: then nobody gets one).
    static constexpr int MaxAwayAfterMinutes = 24 * 60;
    int awayAfterMinutes() const;
    void setAwayAfterMinutes(int minutes);
    QString idleAwayText() const;
    void setIdleAwayText(const QString& text);
    // The encoding for IP Messenger peers that have not shown they read UTF-8 (README "Text encodings"): Gbk or Cp932,
    // the system locale's unless chosen (textcodec::legacyEncodingFor).
    TextEncoding legacyEncoding() const;
    void setLegacyEncoding(TextEncoding encoding);
    // The window starts hidden in the system tray, where there is one (off unless chosen).
    bool startHidden() const;
    void setStartHidden(bool on);
    // Files (issue 10): where received ones go (empty: the default, Transfers::downloadFolder), whether offers from
    // contacts of at most autoAcceptMaxBytes() are accepted without asking (off unless chosen; never strangers'), and
    // that size in bytes (default DefaultAutoAcceptBytes).
    static constexpr quint64 DefaultAutoAcceptBytes = 100ull << 20;
    QString downloadFolder() const;
    void setDownloadFolder(const QString& folder);
    bool autoAcceptFiles() const;
    void setAutoAcceptFiles(bool on);
    quint64 autoAcceptMaxBytes() const;
    void setAutoAcceptMaxBytes(quint64 bytes);
    // Pictures pasted into the compose box are saved here (a folder of the profile) before they are offered.
    QString pastedPicturesPath() const { return m_directory + QStringLiteral("/pasted"); }

private:
    QString m_directory;
};

// One profile, one Pigeon (two processes on one profile would answer and resend under one packet number from two
// ports). The process holds a QLockFile "pigeon.lock" in the profile folder for its life; a lock whose process is
// gone (a crash) is taken over. A window also listens on a local socket in the runtime directory
// ($XDG_RUNTIME_DIR, else the temporary folder) so that starting it again brings it to the front instead.
class ProfileLock final : public QObject {
    Q_OBJECT
public:
    explicit ProfileLock(const Profile& profile, QObject* parent = nullptr);
    ~ProfileLock() override;

    // Takes the profile for this process. false: another process holds it (holderPid()) or the lock file cannot be
    // written (error()).
    bool acquire();
    QString error() const { return m_error; }
    // The process that holds the profile after acquire() failed (0: unknown), and whether it is a window: its local
    // socket answers within 1 s.
    qint64 holderPid() const;
    bool holderIsWindow() const;
    // Asks the holder's window to come to the front; true once it confirmed within `timeoutMs` (ms).
    bool activateHolder(int timeoutMs = 5000) const;

    // For a window, after acquire(): listen on the local socket; a socket file left by a crash is replaced.
    bool listen();
    // The socket's path: one per profile folder, only the user can connect.
    QString socketPath() const { return m_socketPath; }

Q_SIGNALS:
    // A second start of the window on this profile wants this one in front.
    void activationRequested();

private:
    QLockFile m_lock;
    QString m_socketPath;
    QLocalServer m_server;
    QString m_error;
};
