#include "desktopnotifier.h"

#include <QDBusConnection>
#include <QDBusConnectionInterface>
#include <QDBusMessage>
#include <QDBusPendingCallWatcher>
#include <QDBusPendingReply>
#include <QDBusReply>
#include <QVariantMap>

namespace {

const QString Service = QStringLiteral("org.freedesktop.Notifications");
const QString Path = QStringLiteral("/org/freedesktop/Notifications");
const QString Interface = QStringLiteral("org.freedesktop.Notifications");
// The action the service invokes when the notification itself is clicked (specification, "Actions").
const QString DefaultAction = QStringLiteral("default");

QDBusMessage call(const QString& method)
{
    return QDBusMessage::createMethodCall(Service, Path, Interface, method);
}

} // namespace

DesktopNotifier::DesktopNotifier(QObject* parent)
    : QObject(parent)
{
    QDBusConnection bus = QDBusConnection::sessionBus();
    if (!bus.isConnected() || !bus.interface())
        return;
    const QStringList activatable =
        bus.interface()->call(QStringLiteral("ListActivatableNames")).arguments().value(0).toStringList();
    m_available = bus.interface()->isServiceRegistered(Service).value() || activatable.contains(Service);
    if (!m_available)
        return;
    const QDBusReply<QStringList> capabilities = bus.call(call(QStringLiteral("GetCapabilities")), QDBus::Block, 2000);
    m_markup = capabilities.isValid() && capabilities.value().contains(QStringLiteral("body-markup"));
    bus.connect(Service, Path, Interface, QStringLiteral("ActionInvoked"), this, SLOT(onActionInvoked(uint, QString)));
    bus.connect(Service, Path, Interface, QStringLiteral("NotificationClosed"), this,
                SLOT(onNotificationClosed(uint, uint)));
}

void DesktopNotifier::notify(const QString& peer, const QString& sender, const QString& text)
{
    if (!m_available)
        return;
    Shown& shown = m_shown[peer];
    if (shown.pending) {
        // Its id is not known yet; the newest text follows once it is, replacing this one.
        shown.queued = std::make_pair(sender, text);
        return;
    }
    send(peer, sender, text);
}

void DesktopNotifier::send(const QString& peer, const QString& sender, const QString& text)
{
    Shown& shown = m_shown[peer];
    QString line = text.section(u'\n', 0, 0, QString::SectionSkipEmpty).simplified();
    if (line.size() > 120)
        line = line.left(119) + u'…';
    QDBusMessage message = call(QStringLiteral("Notify"));
    QVariantMap hints;
    hints.insert(QStringLiteral("desktop-entry"), QStringLiteral("pigeon"));
    hints.insert(QStringLiteral("category"), QStringLiteral("im.received"));
    message << QStringLiteral("Pigeon") << shown.id << QStringLiteral("pigeon") << sender
            << (m_markup ? line.toHtmlEscaped() : line) << QStringList{DefaultAction, tr("Open")} << hints
            << qint32(-1);
    shown.pending = true;
    auto* watcher = new QDBusPendingCallWatcher(QDBusConnection::sessionBus().asyncCall(message, 10'000), this);
    connect(watcher, &QDBusPendingCallWatcher::finished, this, [this, peer](QDBusPendingCallWatcher* w) {
        w->deleteLater();
        const QDBusPendingReply<uint> reply = *w;
        auto it = m_shown.find(peer);
        if (it == m_shown.end())
            return;
        it->pending = false;
        if (reply.isValid())
            it->id = reply.value();
        if (const auto queued = std::exchange(it->queued, std::nullopt))
            send(peer, queued->first, queued->second);
    });
}

void DesktopNotifier::withdraw(const QString& peer)
{
    const auto it = m_shown.constFind(peer);
    if (it == m_shown.constEnd() || it->id == 0 || it->pending)
        return;
    QDBusMessage message = call(QStringLiteral("CloseNotification"));
    message << it->id;
    QDBusConnection::sessionBus().call(message, QDBus::NoBlock);
    m_shown.erase(it);
}

QString DesktopNotifier::peerOf(uint id) const
{
    for (auto it = m_shown.constBegin(); it != m_shown.constEnd(); ++it)
        if (it->id == id && id != 0)
            return it.key();
    return {};
}

void DesktopNotifier::onActionInvoked(uint id, const QString& action)
{
    const QString peer = peerOf(id);
    if (action == DefaultAction && !peer.isEmpty())
        Q_EMIT activated(peer);
}

void DesktopNotifier::onNotificationClosed(uint id, uint)
{
    // Closed (dismissed, expired or clicked): the next message shows a new one.
    const QString peer = peerOf(id);
    if (!peer.isEmpty() && !m_shown[peer].pending)
        m_shown.remove(peer);
}
