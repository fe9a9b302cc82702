#pragma once

#include "conversationlist.h"
#include "conversationlistmodel.h"
#include "conversationmodel.h"
#include "session.h"

#include <QMainWindow>

class AutoAway;
class ComposeEdit;
class DesktopNotifier;
class ProfileLock;
class ElidedLabel;
class EmojiPicker;
class FileActions;
class MessageSearch;
class QLabel;
class QLineEdit;
class QListView;
class QPushButton;
class QStackedWidget;
class QSystemTrayIcon;
class StatusMenu;
class QToolButton;
class ThreadView;

// What the desktop front end takes besides the session options.
struct GuiOptions {
    QString language;                // "zh_CN", "en"; empty: the system locale
    QString screenshot;              // a PNG file: render the populated window there and exit
    ProfileLock* instance = nullptr; // a second start on this profile brings the window to the front
};

// Starts the desktop messenger on a session opened with `options`; returns the exit code.
int runGui(const Session::Options& options, const GuiOptions& gui = {});

// The main window: conversations on the left, the picked conversation's thread on the right, the compose box
// below it. It only talks to the session's engine, contacts and history, never to a socket.
class MainWindow final : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(Session& session, QWidget* parent = nullptr);

    void openConversation(const QString& peer);
    // Opens `peer`'s conversation at the message `id`, loaded around it, in the middle of the view and selected.
    void openMessage(const QString& peer, qint64 id);
    // Shows the search of every conversation's messages in place of the conversation list (Ctrl+Shift+F).
    void showMessageSearch();
    MessageSearch* messageSearch() const { return m_messageSearch; }
    // Shows the window (also when hidden in the tray or minimised), raises it and gives it the keyboard.
    void bringToFront();
    QString currentPeer() const { return m_peer; }
    // Sends what is in the compose box to the open conversation; false when nothing was sent.
    bool sendComposed();
    // Contacts > New Group…: opens the dialog (GroupDialog, window-modal); accepting it makes the group, invites the
    // ticked contacts and opens its conversation.
    void newGroup();
    // Lays the window out completely (offscreen too) and saves it as a PNG whose "Description" text names, in the
    // interface's language, the menus and the Send button it shows (mnemonic & removed).
    bool saveScreenshot(const QString& path);

    ConversationListModel& conversations() { return m_conversations; }
    ConversationModel& thread() { return m_thread; }
    ThreadView* threadView() const { return m_threadView; }
    ComposeEdit* composer() const { return m_compose; }
    QListView* conversationList() const { return m_list; }
    QLabel* listenLabel() const;
    QLabel* composeNote() const { return m_composeNote; }
    StatusMenu* statusMenu() const { return m_statusMenu; }
    AutoAway* autoAway() const { return m_autoAway; }
    QToolButton* emojiButton() const { return m_emojiButton; }
    EmojiPicker* emojiPicker() const { return m_emoji; }
    // Files, folders and pictures: the attach button, Ctrl+O, drops and pastes, and the file bubbles' actions.
    FileActions* files() const { return m_files; }
    // Checked: the next message goes sealed (IP Messenger peers other than Pigeons only; hidden for the others).
    QAction* sealAction() const { return m_seal; }

protected:
    void changeEvent(QEvent* event) override;
    void closeEvent(QCloseEvent* event) override;

private:
    void buildMenus();
    void buildTray();
    void onMessageAdded(const Message& message);
    // An incoming offer of a file, folder or picture: told like a message when its conversation is not on screen.
    void onFileOffered(const Transfers::Info& info);
    void updateHeader();
    void updateTitle();
    void updateStatus();
    void updateComposeNote();
    void updateSearchNote();
    // Why Pigeon cannot listen on `address`:`port`, said for a window user (no command-line options).
    QString listenProblem(const QHostAddress& address, quint16 port) const;
    void markCurrentRead();
    bool isOnScreen(const QString& peer) const;
    void moveConversation(int step);

    void addContact(const Contact& prefill = {});
    void editContact(const QString& name);
    void removeContact(const QString& name);
    void addSenderToContacts(const QString& peer);
    void importContacts();
    void exportContacts();
    void showSettings();
    // Keeps the settings dialog's start-up choices: the autostart entry and the profile's start hidden.
    void applyStartup(bool atLogin, bool hidden);
    void showAbout();
    // Help > Keyboard Shortcuts (F1): every shortcut of the menus and the compose box.
    void showShortcuts();

    Session& m_session;
    Messenger* m_messenger;
    ConversationListModel m_conversations;
    ConversationFilter m_filter;
    ConversationModel m_thread;
    QString m_peer;
    QString m_notifiedPeer;
    QHash<QString, QString> m_drafts; // unsent text of conversations not on screen
    bool m_filtering = false;

    QLineEdit* m_search;
    QListView* m_list;
    QStackedWidget* m_left;
    MessageSearch* m_messageSearch;
    QStackedWidget* m_right;
    QLabel* m_avatar;
    QLabel* m_title;
    QLabel* m_detail;
    QLabel* m_lock; // the open conversation's padlock (lockicon.h)
    QPushButton* m_addSender;
    ThreadView* m_threadView;
    ComposeEdit* m_compose;
    QLabel* m_composeNote;
    QPushButton* m_send;
    QToolButton* m_emojiButton;
    EmojiPicker* m_emoji;
    QAction* m_seal;
    ElidedLabel* m_listenLabel;
    QLabel* m_searchNote;
    QPushButton* m_changePort;
    QLabel* m_onlineLabel;
    StatusMenu* m_statusMenu;
    AutoAway* m_autoAway;
    QSystemTrayIcon* m_tray = nullptr;
    DesktopNotifier* m_notifier;
    FileActions* m_files;
};
