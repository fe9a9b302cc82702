#pragma once

#include <QDialog>
#include <QHostAddress>

#include <functional>

class QCheckBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QSpinBox;

// Nickname, the address and port Pigeon listens on, LAN announcement, whether strangers may write, and when to go away
// by itself.
class SettingsDialog final : public QDialog {
    Q_OBJECT
public:
    SettingsDialog(const QString& nick, const QHostAddress& bind, quint16 port, bool broadcast, bool contactsOnly,
                   QWidget* parent = nullptr);

    QString nick() const;
    QHostAddress bindAddress() const;
    quint16 port() const;
    bool broadcast() const;
    bool contactsOnly() const;
    // Start at login (an XDG autostart entry) and start hidden in the tray; `trayAvailable` false disables the latter.
    void setStartup(bool atLogin, bool hidden, bool trayAvailable);
    bool startAtLogin() const;
    bool startHidden() const;
    // Away after this many minutes without input (0: never), with this automatic answer.
    void setAutoAway(int minutes, const QString& text);
    int awayAfterMinutes() const;
    QString idleAwayText() const;
    // Files: the download folder, whether offers from contacts up to `maxBytes` are accepted without asking.
    void setFiles(const QString& downloads, bool autoAccept, quint64 maxBytes);
    QString downloadFolder() const;
    bool autoAcceptFiles() const;
    quint64 autoAcceptMaxBytes() const;
    // Run on OK before the dialog closes: returns why the choice cannot be applied (the dialog then stays open and
    // shows it), or empty once it is applied.
    void setApply(std::function<QString()> apply) { m_apply = std::move(apply); }
    void accept() override;

private:
    void validate();

    QLineEdit* m_nick;
    QLineEdit* m_bind;
    QSpinBox* m_port;
    QCheckBox* m_broadcast;
    QCheckBox* m_contactsOnly;
    QCheckBox* m_startAtLogin;
    QCheckBox* m_startHidden;
    QSpinBox* m_awayAfter;
    QLineEdit* m_awayText;
    QLineEdit* m_downloads;
    QCheckBox* m_autoAccept;
    QSpinBox* m_autoAcceptMb;
    QLabel* m_error;
    QDialogButtonBox* m_buttons;
    std::function<QString()> m_apply;
};
