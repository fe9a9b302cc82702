#pragma once

#include <QHash>
#include <QObject>
#include <QString>

#include <optional>

class QDBusPendingCallWatcher;

// Desktop notifications through the desktop's own notification service: org.freedesktop.Notifications on the
// session bus (Desktop Notifications Specification 1.2). One notification per conversation: a newer message
// replaces the older one (replaces_id); clicking it (the "default" action) asks for that conversation. Works with or
// without a system tray.
class DesktopNotifier final : public QObject {
    Q_OBJECT
public:
    explicit DesktopNotifier(QObject* parent = nullptr);

    // Whether a notification service is on the session bus (running, or started by D-Bus on the first call).
    bool isAvailable() const { return m_available; }
    // Shows `sender` and the first line of `text` (at most 120 characters) for `peer`'s conversation, replacing the
    // one shown for it before.
    void notify(const QString& peer, const QString& sender, const QString& text);
    // Takes `peer`'s notification off the screen (its conversation is on screen now).
    void withdraw(const QString& peer);

Q_SIGNALS:
    // The user clicked the notification of `peer`'s conversation.
    void activated(const QString& peer);

private Q_SLOTS:
    // Signals of the service (connected by name, as QtDBus requires).
    void onActionInvoked(uint id, const QString& action);
    void onNotificationClosed(uint id, uint reason);

private:
    struct Shown {
        uint id = 0;                                       // the service's id; 0 until it answered
        bool pending = false;                              // a Notify call is on its way
        std::optional<std::pair<QString, QString>> queued; // sender and text that came meanwhile
    };
    void send(const QString& peer, const QString& sender, const QString& text);
    QString peerOf(uint id) const;

    QHash<QString, Shown> m_shown; // by peer
    bool m_available = false;
    bool m_markup = false; // the service reads the body as markup: received text is escaped
};
