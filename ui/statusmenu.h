#pragma once

#include "messenger.h"

#include <QToolButton>

class QAction;
class QActionGroup;

// The user's own status in the window's status bar: a button that shows it (a colored dot, the status and its text)
// and opens a menu to pick Online, Away or Busy, or to give a text ("Status Message…"; from Online that means Away).
// Picking Away or Busy keeps the current text. It only calls Messenger::setStatus and follows statusChanged.
class StatusMenu final : public QToolButton {
    Q_OBJECT
public:
    explicit StatusMenu(Messenger* messenger, QWidget* parent = nullptr);

    QAction* onlineAction() const { return m_online; }
    QAction* awayAction() const { return m_away; }
    QAction* busyAction() const { return m_busy; }
    QAction* messageAction() const { return m_message; }
    // Asks for the status text in a dialog; set on the result (empty: keep the status, no text).
    void askMessage();

private:
    void pick(Status status);
    void showStatus(const PeerStatus& status);

    Messenger* m_messenger;
    QActionGroup* m_group;
    QAction* m_online;
    QAction* m_away;
    QAction* m_busy;
    QAction* m_message;
};
