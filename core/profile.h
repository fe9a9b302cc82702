#pragma once

#include <QHostAddress>
#include <QString>

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
    void setPort(quint16 port);
    QHostAddress bindAddress() const;
    void setBindAddress(const QHostAddress& address);
    // Announce this Pigeon on the LAN with broadcast entry packets (off unless chosen).
    bool broadcast() const;
    void setBroadcast(bool on);
    // Refuse messages from addresses that are no contact (off unless chosen).
    bool contactsOnly() const;
    void setContactsOnly(bool on);

private:
    QString m_directory;
};
