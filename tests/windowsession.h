#pragma once

#include "mainwindow.h"
#include "session.h"
#include "settingsdialog.h"

#include <QAction>
#include <QApplication>
#include <QTest>
#include <QTimer>

#include <functional>
#include <memory>

// Sessions and their windows for the desktop window tests: real engines on 127.0.0.1 in one process.

// Opens `session` anew as `nick` on 127.0.0.1, on a port the system picks, with its profile in `profile`. Empty on
// success, else the session's error.
inline QString openOnLoopback(std::unique_ptr<Session>& session, const QString& profile, const QString& nick)
{
    session = std::make_unique<Session>();
    return session->open({profile, QHostAddress::LocalHost, 0, nick, false}) ? QString() : session->error();
}

// Adds `peer` to the contacts of `session` as `name`, at 127.0.0.1 and the port `peer` listens on. Empty on success,
// else why not.
inline QString addAsContact(Session& session, const QString& name, Session& peer)
{
    return session.contacts().add({name, QStringLiteral("127.0.0.1"), peer.transport().localEndpoint().port});
}

// Closes `window` and `session` (the window first), then opens the session again with `options` and shows a window
// on it, as a restart of Pigeon does. Empty on success, else the session's error.
inline QString reopenWithWindow(std::unique_ptr<Session>& session, std::unique_ptr<MainWindow>& window,
                                const Session::Options& options)
{
    window.reset();
    session.reset();
    session = std::make_unique<Session>();
    if (!session->open(options))
        return session->error();
    window = std::make_unique<MainWindow>(*session);
    window->show();
    return {};
}

// Opens Settings from `window`'s menu (its Ctrl+, action), lets `answer` fill the dialog in and presses OK. Whether
// the dialog opened and was answered.
inline bool changeSettings(MainWindow& window, const std::function<void(SettingsDialog*)>& answer)
{
    QAction* settings = nullptr;
    for (QAction* action : window.findChildren<QAction*>())
        if (action->shortcut() == QKeySequence(Qt::CTRL | Qt::Key_Comma))
            settings = action;
    if (!settings)
        return false;
    bool answered = false;
    QTimer::singleShot(0, &window, [&answered, &answer] {
        auto* dialog = qobject_cast<SettingsDialog*>(QApplication::activeModalWidget());
        QVERIFY(dialog);
        answer(dialog);
        answered = true;
        dialog->accept();
    });
    settings->trigger();
    return answered;
}
