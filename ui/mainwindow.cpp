#include "mainwindow.h"

#include "autoaway.h"
#include "autostart.h"
#include "avatar.h"
#include "bubbledelegate.h"
#include "colors.h"
#include "composeedit.h"
#include "contactdialog.h"
#include "desktopnotifier.h"
#include "elidedlabel.h"
#include "emojipicker.h"
#include "fileactions.h"
#include "groupdialog.h"
#include "keychangeprompt.h"
#include "language.h"
#include "lockicon.h"
#include "messagesearch.h"
#include "securitynotices.h"
#include "settingsdialog.h"
#include "statusmenu.h"
#include "threadview.h"
#include "upgradeprogress.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QFile>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QPainter>
#include <QPushButton>
#include <QSaveFile>
#include <QScopedValueRollback>
#include <QSplitter>
#include <QStackedWidget>
#include <QStatusBar>
#include <QSystemTrayIcon>
#include <QTextStream>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

namespace {

QIcon appIcon()
{
    return QIcon(QStringLiteral(":/pigeon/icons/pigeon.png"));
}

QString presenceText(Presence presence)
{
    switch (presence) {
    case Presence::Online: return MainWindow::tr("online");
    case Presence::Offline: return MainWindow::tr("offline");
    case Presence::Unknown: break;
    }
    return MainWindow::tr("presence unknown");
}

} // namespace

int runGui(const Session::Options& options, const GuiOptions& gui)
{
    installTranslations(gui.language);
    QApplication::setWindowIcon(appIcon());
    QApplication::setApplicationDisplayName(QObject::tr("Pigeon"));
    QTextStream err(stderr);
    Session session;
    bool opened = false;
    {
        const UpgradeProgress upgrade(session.history());
        opened = session.open(options);
    }
    if (!opened && !session.messenger()) {
        // Without a profile or a history there is nothing to show; a taken port is no such case.
        if (!gui.screenshot.isEmpty()) {
            err << "pigeon: " << session.error() << '\n';
            return 2;
        }
        QMessageBox::critical(nullptr, QObject::tr("Pigeon"), session.error());
        return 2;
    }
    MainWindow window(session);
    if (gui.instance)
        QObject::connect(gui.instance, &ProfileLock::activationRequested, &window, &MainWindow::bringToFront);
    if (!gui.screenshot.isEmpty()) {
        if (!window.saveScreenshot(gui.screenshot)) {
            err << "pigeon: cannot write the screenshot " << gui.screenshot << '\n';
            return 2;
        }
        return 0;
    }
    // Hidden only where the tray icon can bring it back.
    if (!(session.profile().startHidden() && QSystemTrayIcon::isSystemTrayAvailable()))
        window.show();
    return QApplication::exec();
}

MainWindow::MainWindow(Session& session, QWidget* parent)
    : QMainWindow(parent)
    , m_session(session)
    , m_messenger(session.messenger())
    , m_conversations(&session.contacts(), &session.history(), session.messenger())
    , m_thread(&session.history(), session.messenger())
    , m_search(new QLineEdit)
    , m_list(new QListView)
    , m_left(new QStackedWidget)
    , m_messageSearch(new MessageSearch(&session.history(), session.messenger()))
    , m_right(new QStackedWidget)
    , m_avatar(new QLabel)
    , m_title(new QLabel)
    , m_detail(new QLabel)
    , m_lock(new QLabel)
    , m_addSender(new QPushButton(tr("Add to Contacts")))
    , m_threadView(new ThreadView)
    , m_compose(new ComposeEdit)
    , m_composeNote(new QLabel)
    , m_send(new QPushButton(tr("&Send")))
    , m_emojiButton(new QToolButton)
    , m_emoji(new EmojiPicker(session.profile().settingsPath(), this))
    , m_seal(new QAction(tr("S&eal"), this))
    , m_listenLabel(new ElidedLabel)
    , m_searchNote(new QLabel)
    , m_changePort(new QPushButton(tr("Choose Another Port…")))
    , m_onlineLabel(new QLabel)
    , m_statusMenu(new StatusMenu(session.messenger()))
    , m_autoAway(new AutoAway(session.messenger(), this))
    , m_notifier(new DesktopNotifier(this))
    , m_files(new FileActions(session, this))
{
    // Left: the filter box over the conversation list.
    m_filter.setSourceModel(&m_conversations);
    m_search->setObjectName(QStringLiteral("search"));
    m_search->setPlaceholderText(tr("Search (Ctrl+F)"));
    m_search->setClearButtonEnabled(true);
    m_search->setAccessibleName(tr("Search conversations"));
    m_list->setModel(&m_filter);
    m_list->setItemDelegate(new ConversationDelegate(m_list));
    m_list->setUniformItemSizes(true);
    m_list->setSelectionMode(QAbstractItemView::SingleSelection);
    m_list->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_list->setContextMenuPolicy(Qt::CustomContextMenu);
    m_list->setFrameShape(QFrame::NoFrame);
    m_list->setAccessibleName(tr("Conversations"));
    auto* left = new QWidget;
    auto* leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(6, 6, 0, 0);
    leftLayout->addWidget(m_search);
    m_searchNote->setObjectName(QStringLiteral("searchNote"));
    m_searchNote->setWordWrap(true);
    m_searchNote->setAlignment(Qt::AlignHCenter | Qt::AlignTop);
    m_searchNote->setForegroundRole(QPalette::PlaceholderText);
    m_searchNote->hide();
    leftLayout->addWidget(m_searchNote);
    leftLayout->addWidget(m_list, 1);
    // Narrow enough for a small screen, never so narrow that the list becomes a scrolled strip.
    left->setMinimumWidth(200);
    // Esc in the search box clears it (and shows every conversation again).
    auto* clearSearch = new QAction(m_search);
    clearSearch->setShortcut(Qt::Key_Escape);
    clearSearch->setShortcutContext(Qt::WidgetShortcut);
    connect(clearSearch, &QAction::triggered, m_search, &QLineEdit::clear);
    m_search->addAction(clearSearch);

    // Right: header, thread, compose box; or a hint while no conversation is open.
    auto* header = new QWidget;
    auto* headerLayout = new QHBoxLayout(header);
    headerLayout->setContentsMargins(12, 6, 12, 6);
    QFont titleFont = m_title->font();
    titleFont.setBold(true);
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.2);
    m_title->setFont(titleFont);
    m_title->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_detail->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_detail->setObjectName(QStringLiteral("headerDetail"));
    QPalette secondary = m_detail->palette();
    secondary.setColor(QPalette::WindowText, colors::secondaryText(palette()));
    m_detail->setPalette(secondary);
    auto* titles = new QVBoxLayout;
    titles->setSpacing(0);
    titles->addWidget(m_title);
    titles->addWidget(m_detail);
    headerLayout->addWidget(m_avatar);
    m_lock->setObjectName(QStringLiteral("lock"));
    headerLayout->addWidget(m_lock);
    headerLayout->addLayout(titles, 1);
    headerLayout->addWidget(m_addSender);

    m_compose->setObjectName(QStringLiteral("compose"));
    m_compose->setAccessibleName(tr("Message"));
    m_send->setObjectName(QStringLiteral("send"));
    m_changePort->setObjectName(QStringLiteral("changePort"));
    m_composeNote->setWordWrap(true);
    m_composeNote->setPalette(secondary);
    m_send->setDefault(false);
    m_send->setAutoDefault(false);
    // The emoji button: a picker with the recently used ones first; a pick goes in at the cursor.
    m_emojiButton->setObjectName(QStringLiteral("emoji"));
    m_emojiButton->setText(QStringLiteral("🙂"));
    m_emojiButton->setToolTip(tr("Insert an emoji"));
    m_emojiButton->setAccessibleName(tr("Emoji"));
    m_emojiButton->setAutoRaise(true);
    connect(m_emojiButton, &QToolButton::clicked, this,
            [this] { m_emoji->popUp(m_emojiButton->mapToGlobal(QPoint(0, 0))); });
    connect(m_emoji, &EmojiPicker::picked, this, [this](const QString& emoji) {
        m_compose->insertPlainText(emoji);
        m_compose->setFocus();
    });
    auto* composeRow = new QHBoxLayout;
    composeRow->addWidget(m_emojiButton);
    composeRow->addWidget(m_files->attachButton());
    composeRow->addWidget(m_composeNote, 1);
    // IP Messenger's sealed message: the receiver's client shows it closed and tells us when it is opened.
    m_seal->setCheckable(true);
    m_seal->setObjectName(QStringLiteral("seal"));
    m_seal->setToolTip(tr("Send sealed: the receiver opens it with a click, and you are told when they do"));
    auto* sealButton = new QToolButton;
    sealButton->setObjectName(QStringLiteral("sealButton"));
    sealButton->setDefaultAction(m_seal);
    composeRow->addWidget(sealButton);
    connect(m_seal, &QAction::changed, sealButton, [this, sealButton] { sealButton->setVisible(m_seal->isVisible()); });
    composeRow->addWidget(m_send);
    auto* composeBox = new QWidget;
    auto* composeLayout = new QVBoxLayout(composeBox);
    composeLayout->setContentsMargins(8, 4, 8, 6);
    composeLayout->addWidget(m_compose);
    composeLayout->addLayout(composeRow);

    auto* threadSplit = new QSplitter(Qt::Vertical);
    threadSplit->addWidget(m_threadView);
    threadSplit->addWidget(composeBox);
    threadSplit->setStretchFactor(0, 1);
    threadSplit->setChildrenCollapsible(false);
    auto* chat = new QWidget;
    auto* chatLayout = new QVBoxLayout(chat);
    chatLayout->setContentsMargins(0, 0, 0, 0);
    chatLayout->setSpacing(0);
    chatLayout->addWidget(header);
    auto* line = new QFrame;
    line->setFrameShape(QFrame::HLine);
    line->setFrameShadow(QFrame::Sunken);
    chatLayout->addWidget(line);
    chatLayout->addWidget(threadSplit, 1);
    auto* empty = new QLabel(tr("Pick a conversation on the left, or add a contact with Ctrl+N."));
    empty->setAlignment(Qt::AlignCenter);
    empty->setWordWrap(true);
    empty->setPalette(secondary);
    m_right->addWidget(empty);
    m_right->addWidget(chat);
    m_right->setMinimumWidth(320);
    m_title->setMinimumWidth(1);
    m_detail->setMinimumWidth(1);
    m_threadView->setConversation(&m_thread);

    // The left side shows the conversations, or in their place the search of every message (Ctrl+Shift+F).
    m_left->addWidget(left);
    m_left->addWidget(m_messageSearch);
    connect(m_messageSearch, &MessageSearch::openRequested, this, &MainWindow::openMessage);
    connect(m_messageSearch, &MessageSearch::closeRequested, this, [this] {
        m_left->setCurrentIndex(0);
        m_list->setFocus();
    });

    auto* splitter = new QSplitter;
    splitter->addWidget(m_left);
    splitter->addWidget(m_right);
    splitter->setStretchFactor(1, 1);
    splitter->setSizes({300, 700});
    splitter->setChildrenCollapsible(false);
    setCentralWidget(splitter);

    statusBar()->addWidget(m_listenLabel, 1);
    statusBar()->addWidget(m_changePort);
    statusBar()->addPermanentWidget(m_statusMenu);
    statusBar()->addPermanentWidget(m_onlineLabel);
    m_autoAway->setTimeout(qint64(session.profile().awayAfterMinutes()) * 60'000, session.profile().idleAwayText());
    m_onlineLabel->setMinimumWidth(m_onlineLabel->fontMetrics().horizontalAdvance(u'X') * 6);

    connect(m_search, &QLineEdit::textChanged, this, [this](const QString& text) {
        // Narrowing the list moves its current row; that must not switch the conversation under the user.
        const QScopedValueRollback filtering(m_filtering, true);
        m_filter.setText(text);
        m_list->setCurrentIndex(m_filter.mapFromSource(m_conversations.indexOfPeer(m_peer)));
        updateSearchNote();
    });
    connect(&m_filter, &QAbstractItemModel::rowsInserted, this, &MainWindow::updateSearchNote);
    connect(&m_filter, &QAbstractItemModel::rowsRemoved, this, &MainWindow::updateSearchNote);
    connect(m_search, &QLineEdit::returnPressed, this, [this] {
        if (m_filter.rowCount() > 0)
            openConversation(m_filter.index(0, 0).data(ConversationListModel::PeerRole).toString());
    });
    connect(m_list->selectionModel(), &QItemSelectionModel::currentChanged, this, [this](const QModelIndex& index) {
        if (index.isValid() && !m_filtering)
            openConversation(index.data(ConversationListModel::PeerRole).toString());
    });
    connect(m_list, &QWidget::customContextMenuRequested, this, [this](const QPoint& pos) {
        const QModelIndex index = m_list->indexAt(pos);
        if (!index.isValid())
            return;
        const QString peer = index.data(ConversationListModel::PeerRole).toString();
        QMenu menu(this);
        if (index.data(ConversationListModel::IsContactRole).toBool()) {
            menu.addAction(tr("&Edit Contact…"), this, [this, peer] { editContact(peer); });
            menu.addAction(tr("&Remove Contact…"), this, [this, peer] { removeContact(peer); });
        } else {
            menu.addAction(tr("&Add to Contacts…"), this, [this, peer] { addSenderToContacts(peer); });
        }
        menu.exec(m_list->viewport()->mapToGlobal(pos));
    });
    connect(m_addSender, &QPushButton::clicked, this, [this] { addSenderToContacts(m_peer); });
    connect(m_compose, &ComposeEdit::sendRequested, this, &MainWindow::sendComposed);
    connect(m_send, &QPushButton::clicked, this, &MainWindow::sendComposed);
    connect(m_compose, &QPlainTextEdit::textChanged, this, &MainWindow::updateComposeNote);
    connect(m_changePort, &QPushButton::clicked, this, &MainWindow::showSettings);
    connect(&m_conversations, &ConversationListModel::totalUnreadChanged, this, &MainWindow::updateTitle);
    connect(&m_conversations, &ConversationListModel::onlineCountChanged, this, &MainWindow::updateStatus);
    connect(&m_conversations, &QAbstractItemModel::dataChanged, this, [this](const QModelIndex& first) {
        if (first.data(ConversationListModel::PeerRole).toString() == m_peer)
            updateHeader();
    });
    if (m_messenger) {
        connect(m_messenger, &Messenger::messageAdded, this, &MainWindow::onMessageAdded);
        connect(m_messenger, &Messenger::problem, this,
                [this](const QString& text) { statusBar()->showMessage(text, 10'000); });
        connect(m_messenger, &Messenger::groupsChanged, this, &MainWindow::updateHeader);
        connect(m_messenger, &Messenger::encryptionChanged, this, [this](const QString& peer) {
            if (peer == m_peer)
                updateHeader();
        });
        connect(m_messenger, &Messenger::keyChanged, this,
                [this](const QString& peer, bool wasVerified) { askToTrust(this, m_messenger, peer, wasVerified); });
        connect(m_messenger, &Messenger::forgeriesRefused, this, [this](const QString& peer, quint64 total) {
            statusBar()->showMessage(SecurityNotices::forgeriesRefused(peer, total), 30'000);
        });
    }
    m_thread.setTransfers(m_session.transfers());
    if (Transfers* transfers = m_session.transfers()) {
        connect(transfers, &Transfers::offered, this, &MainWindow::onFileOffered);
        // Offers still waiting (from an earlier run too) keep their conversations listed: a stranger may have said
        // nothing else, and the history lists only conversations with messages.
        const auto listWaiting = [this, transfers] {
            for (const Transfers::Info& info : transfers->transfers())
                if (!info.outgoing && info.state == TransferState::Offered)
                    m_conversations.noteOffer(info.peer, info.name,
                                              QDateTime::fromMSecsSinceEpoch(info.timeMs, Qt::UTC), false);
        };
        listWaiting();
        connect(&m_conversations, &QAbstractItemModel::modelReset, this, listWaiting);
    }
    connect(m_threadView, &ThreadView::fileActionRequested, m_files, &FileActions::act);
    connect(m_threadView, &ThreadView::filesDropped, m_files, &FileActions::offer);
    connect(m_compose, &ComposeEdit::filesPasted, m_files, &FileActions::offer);
    connect(m_compose, &ComposeEdit::picturePasted, m_files, &FileActions::offerPicture);
    connect(m_files, &FileActions::problem, this,
            [this](const QString& text) { statusBar()->showMessage(text, 10'000); });
    connect(m_threadView, &ThreadView::openRequested, this, [this](qint64 id) {
        if (m_messenger)
            m_messenger->openSealed(id);
    });
    connect(m_threadView, &ThreadView::retryRequested, this, [this](qint64 id) {
        QString error;
        if (m_messenger && !m_messenger->retry(id, &error))
            statusBar()->showMessage(error, 8000);
    });
    connect(&m_session.contacts(), &ContactBook::contactChanged, this,
            [this](const QString& oldName, const Contact& contact) {
                if (oldName == m_peer) {
                    m_drafts.insert(contact.name, m_compose->toPlainText());
                    openConversation(contact.name);
                    m_drafts.remove(oldName);
                }
            });
    connect(&m_session.contacts(), &ContactBook::contactAdded, this, [this](const Contact&) {
        // A stranger that became a contact: its conversation now goes by the contact's name.
        if (!m_peer.isEmpty() && !m_conversations.indexOfPeer(m_peer).isValid()) {
            for (int row = 0; row < m_conversations.rowCount(); ++row) {
                const QModelIndex i = m_conversations.index(row);
                if (i.data(ConversationListModel::AddressRole).toString() == m_peer) {
                    const QString stranger = m_peer;
                    m_drafts.insert(i.data(ConversationListModel::PeerRole).toString(), m_compose->toPlainText());
                    openConversation(i.data(ConversationListModel::PeerRole).toString());
                    m_drafts.remove(stranger);
                    break;
                }
            }
        }
    });

    connect(m_notifier, &DesktopNotifier::activated, this, [this](const QString& peer) {
        bringToFront();
        openConversation(peer);
    });
    buildMenus();
    buildTray();
    for (const QString& warning : m_session.warnings())
        statusBar()->showMessage(warning, 15'000);
    updateStatus();
    updateTitle();
    updateComposeNote();
    resize(1000, 680);
}

void MainWindow::buildMenus()
{
    QMenu* app = menuBar()->addMenu(tr("&Pigeon"));
    app->addAction(m_files->sendFileAction());
    app->addAction(m_files->sendFolderAction());
    app->addSeparator();
    app->addAction(tr("&Settings…"), QKeySequence(Qt::CTRL | Qt::Key_Comma), this, &MainWindow::showSettings);
    app->addSeparator();
    QAction* quit = app->addAction(tr("&Quit"), QKeySequence::Quit, qApp, &QApplication::quit);
    quit->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Q));
    quit->setMenuRole(QAction::QuitRole);

    QMenu* contacts = menuBar()->addMenu(tr("&Contacts"));
    contacts->addAction(tr("&Add Contact…"), QKeySequence(Qt::CTRL | Qt::Key_N), this, [this] { addContact(); });
    contacts->addAction(tr("New &Group…"), QKeySequence(Qt::CTRL | Qt::Key_G), this, &MainWindow::newGroup);
    QAction* leave = contacts->addAction(tr("&Leave Group"), this, [this] {
        QString error;
        if (m_messenger && !m_messenger->leaveGroup(m_peer, &error))
            statusBar()->showMessage(error, 8000);
    });
    QAction* edit = contacts->addAction(tr("&Edit Contact…"), this, [this] { editContact(m_peer); });
    QAction* remove = contacts->addAction(tr("&Remove Contact…"), this, [this] { removeContact(m_peer); });
    QAction* addSender =
        contacts->addAction(tr("Add &Sender to Contacts…"), this, [this] { addSenderToContacts(m_peer); });
    contacts->addSeparator();
    contacts->addAction(tr("&Import Contacts File…"), this, &MainWindow::importContacts);
    contacts->addAction(tr("E&xport Contacts File…"), this, &MainWindow::exportContacts);
    connect(contacts, &QMenu::aboutToShow, this, [this, edit, remove, addSender, leave] {
        const GroupBook::Group* group =
            m_messenger && m_peer.startsWith(u'#') ? m_messenger->groups().find(m_peer) : nullptr;
        leave->setEnabled(group && group->isActive());
        const bool contact = m_session.contacts().find(m_peer).has_value();
        edit->setEnabled(contact);
        remove->setEnabled(contact);
        addSender->setEnabled(!m_peer.isEmpty() && !contact);
    });

    QMenu* view = menuBar()->addMenu(tr("&View"));
    view->addAction(tr("&Find Conversation"), QKeySequence::Find, this, [this] {
        m_search->setFocus();
        m_search->selectAll();
    });
    view->addAction(tr("Search &Messages…"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_F), this,
                    &MainWindow::showMessageSearch);
    view->addAction(tr("&Previous Conversation"), QKeySequence(Qt::CTRL | Qt::Key_Up), this,
                    [this] { moveConversation(-1); });
    view->addAction(tr("&Next Conversation"), QKeySequence(Qt::CTRL | Qt::Key_Down), this,
                    [this] { moveConversation(1); });
    view->addAction(tr("Newest &Message"), QKeySequence(Qt::CTRL | Qt::Key_End), m_threadView,
                    &ThreadView::scrollToNewest);

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&Keyboard Shortcuts"), QKeySequence::HelpContents, this, &MainWindow::showShortcuts);
    help->addAction(tr("&About Pigeon"), this, &MainWindow::showAbout);
}

void MainWindow::buildTray()
{
    if (!QSystemTrayIcon::isSystemTrayAvailable())
        return;
    m_tray = new QSystemTrayIcon(appIcon(), this);
    auto* menu = new QMenu(this);
    menu->addAction(tr("&Show Pigeon"), this, [this] {
        showNormal();
        activateWindow();
    });
    menu->addAction(tr("&Quit"), qApp, &QApplication::quit);
    m_tray->setContextMenu(menu);
    connect(m_tray, &QSystemTrayIcon::activated, this, [this](QSystemTrayIcon::ActivationReason reason) {
        if (reason == QSystemTrayIcon::Trigger) {
            showNormal();
            activateWindow();
        }
    });
    connect(m_tray, &QSystemTrayIcon::messageClicked, this, [this] {
        showNormal();
        activateWindow();
        if (!m_notifiedPeer.isEmpty())
            openConversation(m_notifiedPeer);
    });
    m_tray->show();
}

void MainWindow::openConversation(const QString& peer)
{
    if (peer != m_peer || m_thread.peer() != peer) {
        // What was typed and not sent waits for its conversation.
        if (!m_peer.isEmpty() && !m_compose->toPlainText().isEmpty())
            m_drafts.insert(m_peer, m_compose->toPlainText());
        m_peer = peer;
        m_thread.setPeer(peer);
        m_threadView->scrollToNewest();
        m_compose->setPlainText(m_drafts.take(peer));
        m_compose->moveCursor(QTextCursor::End);
    }
    const QModelIndex source = m_conversations.indexOfPeer(peer);
    const QModelIndex row = m_filter.mapFromSource(source);
    if (row.isValid() && m_list->currentIndex() != row)
        m_list->setCurrentIndex(row);
    m_right->setCurrentIndex(peer.isEmpty() ? 0 : 1);
    updateHeader();
    updateComposeNote();
    markCurrentRead();
    if (!peer.isEmpty())
        m_compose->setFocus();
}

void MainWindow::openMessage(const QString& peer, qint64 id)
{
    // A result opened from the search keeps the keyboard there, for the next one.
    QWidget* focus = QApplication::focusWidget();
    openConversation(peer);
    m_thread.setPeer(peer, id);
    m_threadView->showMessage(id);
    if (focus && m_messageSearch->isAncestorOf(focus))
        focus->setFocus();
}

void MainWindow::showMessageSearch()
{
    m_left->setCurrentWidget(m_messageSearch);
    m_messageSearch->start();
}

void MainWindow::bringToFront()
{
    if (isMinimized())
        showNormal();
    else
        show();
    raise();
    activateWindow();
}

QLabel* MainWindow::listenLabel() const
{
    return m_listenLabel;
}

bool MainWindow::isOnScreen(const QString& peer) const
{
    return !peer.isEmpty() && peer == m_peer && isVisible() && !isMinimized() && isActiveWindow();
}

void MainWindow::markCurrentRead()
{
    if (!isOnScreen(m_peer))
        return;
    m_notifier->withdraw(m_peer);
    const QModelIndex i = m_conversations.indexOfPeer(m_peer);
    if (!i.isValid() || i.data(ConversationListModel::UnreadRole).toInt() == 0)
        return;
    m_conversations.clearUnread(m_peer);
    if (m_messenger)
        m_messenger->markRead(m_peer);
}

void MainWindow::onMessageAdded(const Message& message)
{
    if (message.direction != Direction::Incoming || message.isSystem)
        return;
    if (isOnScreen(message.peer)) {
        markCurrentRead();
        return;
    }
    // A sealed message stays closed until it is opened in its conversation.
    const QString full = message.sealed ? tr("Sealed message") : message.text;
    QString text = full.simplified();
    if (text.size() > 120)
        text = text.left(119) + u'…';
    m_notifiedPeer = message.peer;
    if (m_notifier->isAvailable())
        m_notifier->notify(message.peer, message.peer, full);
    else if (m_tray && m_tray->isVisible())
        m_tray->showMessage(message.peer, text, appIcon(), 6000);
    QApplication::alert(this);
}

void MainWindow::onFileOffered(const Transfers::Info& info)
{
    m_conversations.noteOffer(info.peer, info.name, QDateTime::fromMSecsSinceEpoch(info.timeMs, Qt::UTC),
                              !isOnScreen(info.peer));
    if (isOnScreen(info.peer))
        return;
    const QString text = tr("Offers %1 (%2)").arg(info.name, FileBubble::detailText(info));
    m_notifiedPeer = info.peer;
    if (m_notifier->isAvailable())
        m_notifier->notify(info.peer, info.peer, text);
    else if (m_tray && m_tray->isVisible())
        m_tray->showMessage(info.peer, text, appIcon(), 6000);
    statusBar()->showMessage(
        tr("%1 offers %2: open the conversation to accept or decline it.").arg(info.peer, info.name), 15'000);
    QApplication::alert(this);
}

void MainWindow::changeEvent(QEvent* event)
{
    QMainWindow::changeEvent(event);
    if (event->type() == QEvent::WindowStateChange || event->type() == QEvent::ActivationChange)
        markCurrentRead();
    if (event->type() == QEvent::LanguageChange)
        updateTitle();
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    m_session.close();
    if (m_tray)
        m_tray->hide();
    event->accept();
    qApp->quit();
}

void MainWindow::updateHeader()
{
    if (m_peer.isEmpty())
        return;
    const QModelIndex i = m_conversations.indexOfPeer(m_peer);
    if (const GroupBook::Group* group =
            m_messenger && m_peer.startsWith(u'#') ? m_messenger->groups().find(m_peer) : nullptr) {
        // A group: its members, me first.
        m_avatar->setPixmap(avatarPixmap(m_peer, 36, devicePixelRatioF()));
        m_title->setText(m_peer);
        QStringList names;
        for (const Roster::Entry& e : group->roster.members())
            names.append(e.endpoint.isEmpty() ? tr("you") : m_messenger->memberName(m_peer, e.endpoint));
        m_detail->setText(group->isActive() ? tr("Members: %1").arg(names.join(QStringLiteral(", ")))
                                            : tr("you left this group"));
        m_title->setToolTip(m_peer);
        m_detail->setToolTip(m_detail->text());
        m_addSender->setVisible(false);
        return;
    }
    const bool contact = i.data(ConversationListModel::IsContactRole).toBool();
    const QString address = i.data(ConversationListModel::AddressRole).toString();
    const auto presence = Presence(i.data(ConversationListModel::PresenceRole).toInt());
    m_avatar->setPixmap(avatarPixmap(m_peer, 36, devicePixelRatioF()));
    m_title->setText(m_peer);
    QStringList detail;
    if (!address.isEmpty() && address != m_peer)
        detail << address;
    if (const QString nick = m_messenger ? m_messenger->nickOf(m_peer) : QString(); !nick.isEmpty() && nick != m_peer)
        detail << tr("calls itself %1").arg(nick);
    // Plain-text datagrams carry no presence: a plain-text contact is never shown online or offline.
    const auto book = contact ? m_session.contacts().find(m_peer) : std::nullopt;
    detail << (!contact                                        ? tr("not in your contacts")
               : book && book->protocol == Protocol::PlainText ? tr("plain text, no presence")
                                                               : presenceText(presence));
    if (const auto status = Status(i.data(ConversationListModel::StatusRole).toInt()); status != Status::Online) {
        const QString text = i.data(ConversationListModel::StatusTextRole).toString();
        const QString word = status == Status::Away ? tr("away") : tr("busy");
        detail << (text.isEmpty() ? word : tr("%1: %2", "status: its text").arg(word, text));
    }
    const auto lock = ConversationListModel::Lock(i.data(ConversationListModel::LockRole).toInt());
    detail << lockicon::description(lock);
    m_lock->setPixmap(lockicon::pixmap(lock, 18, devicePixelRatioF(), palette()));
    m_lock->setVisible(lock != ConversationListModel::Lock::None);
    m_lock->setToolTip(lockicon::description(lock));
    m_lock->setAccessibleName(lockicon::description(lock));
    m_detail->setText(detail.join(QStringLiteral("  ·  ")));
    // The header may be cut at a narrow width: the whole name and address on hover.
    m_title->setToolTip(i.data(Qt::ToolTipRole).toString());
    m_detail->setToolTip(m_detail->text());
    m_addSender->setVisible(!contact && Endpoint::parse(m_peer).has_value());
}

void MainWindow::updateTitle()
{
    const int unread = m_conversations.totalUnread();
    // The platform adds the application's name ("— Pigeon") to a window title: only what is new goes here.
    setWindowTitle(unread > 0 ? tr("%n unread", nullptr, unread) : QString());
    if (m_tray) {
        QPixmap pixmap = appIcon().pixmap(64, 64);
        if (unread > 0) {
            QPainter p(&pixmap);
            p.setRenderHint(QPainter::Antialiasing);
            p.setPen(Qt::NoPen);
            p.setBrush(QColor(0xe5, 0x39, 0x35));
            p.drawEllipse(QRectF(28, 0, 36, 36));
            QFont font = p.font();
            font.setBold(true);
            font.setPixelSize(unread > 99 ? 14 : 22);
            p.setFont(font);
            p.setPen(Qt::white);
            p.drawText(QRectF(28, 0, 36, 36), Qt::AlignCenter,
                       unread > 99 ? QStringLiteral("99+") : QString::number(unread));
        }
        m_tray->setIcon(QIcon(pixmap));
        m_tray->setToolTip(unread > 0 ? tr("Pigeon: %n unread message(s)", nullptr, unread) : tr("Pigeon"));
    }
}

void MainWindow::updateStatus()
{
    const bool listening = m_session.isListening();
    m_listenLabel->setFullText(listening ? tr("Listening on %1").arg(m_session.transport().localEndpoint().toString())
                                         : listenProblem(m_session.bindAddress(), m_session.bindPort()));
    QPalette pal = m_listenLabel->palette();
    pal.setColor(QPalette::WindowText, listening ? palette().color(QPalette::WindowText) : QColor(0xe5, 0x39, 0x35));
    m_listenLabel->setPalette(pal);
    m_changePort->setVisible(!listening);
    const int online = m_conversations.onlineCount();
    m_onlineLabel->setText(online == 0 ? tr("No contacts online") : tr("%n contact(s) online", "", online));
}

QString MainWindow::listenProblem(const QHostAddress& address, quint16 port) const
{
    const QString where = address == QHostAddress(QHostAddress::Any)
                              ? tr("port %1").arg(port)
                              : tr("%1 port %2").arg(address.toString()).arg(port);
    switch (m_session.transport().socketError()) {
    case QAbstractSocket::AddressInUseError:
        return tr("Not listening: %1 is in use by another program, probably another Pigeon, IP Messenger, FeiQ or "
                  "iptux. Choose another port.")
            .arg(where);
    case QAbstractSocket::SocketAddressNotAvailableError:
        return tr("Not listening: %1 is not an address of this computer. Choose another address, or leave it empty.")
            .arg(address.toString());
    case QAbstractSocket::SocketAccessError:
        return tr("Not listening: ports below 1024 need administrator rights. Choose a port above 1024.");
    default: return tr("Not listening on %1: %2").arg(where, m_session.error());
    }
}

void MainWindow::updateSearchNote()
{
    const QString text = m_search->text().trimmed();
    const bool none = !text.isEmpty() && m_filter.rowCount() == 0;
    m_searchNote->setText(none ? tr("No conversation matches \u201c%1\u201d.").arg(text) : QString());
    m_searchNote->setVisible(none);
}

void MainWindow::updateComposeNote()
{
    const bool open = !m_peer.isEmpty() && m_messenger;
    m_send->setEnabled(open && !m_compose->toPlainText().trimmed().isEmpty());
    m_compose->setEnabled(open);
    m_emojiButton->setEnabled(open);
    m_files->setPeer(open ? m_peer : QString());
    m_seal->setVisible(open && m_messenger->canSeal(m_peer));
    QString note;
    if (open) {
        const auto contact = m_session.contacts().find(m_peer);
        const QString text = m_compose->toPlainText();
        const qsizetype bytes = textcodec::encode(text, contact ? contact->encoding : TextEncoding::Utf8).size();
        const Messenger::Route route = m_messenger->route(m_peer);
        const qsizetype limit = route.maxTextBytes;
        const bool plain = route.protocol == Protocol::PlainText;
        if (bytes > limit && plain) {
            note = tr("Too long for one datagram to %1: %2 of %3 bytes. Shorten it to send it.")
                       .arg(m_peer)
                       .arg(bytes)
                       .arg(limit);
            m_send->setEnabled(false);
        } else if (bytes > limit) {
            note = tr("Longer than one datagram to %1 carries (%2 of %3 bytes): it goes out in several parts.")
                       .arg(m_peer)
                       .arg(bytes)
                       .arg(limit);
        }
    }
    m_composeNote->setText(note);
}

bool MainWindow::sendComposed()
{
    const QString text = m_compose->toPlainText();
    if (m_peer.isEmpty() || !m_messenger || text.trimmed().isEmpty())
        return false;
    QString error;
    const bool sealed = m_seal->isVisible() && m_seal->isChecked();
    if (!(sealed ? m_messenger->sendSealed(m_peer, text, &error) : m_messenger->send(m_peer, text, &error))) {
        statusBar()->showMessage(error, 10'000);
        return false;
    }
    m_compose->clear();
    m_threadView->scrollToNewest();
    return true;
}

void MainWindow::moveConversation(int step)
{
    const int rows = m_filter.rowCount();
    if (rows == 0)
        return;
    const int current = m_list->currentIndex().isValid() ? m_list->currentIndex().row() : (step > 0 ? -1 : rows);
    const int next = std::clamp(current + step, 0, rows - 1);
    m_list->setCurrentIndex(m_filter.index(next, 0));
}

void MainWindow::addContact(const Contact& prefill)
{
    Contact initial = prefill;
    if (initial.host.isEmpty() && initial.name.isEmpty())
        initial.port = ipmsg::DefaultPort;
    ContactDialog dialog(m_session.contacts(), initial, {}, this);
    dialog.setOwnEndpoint([this](const Endpoint& e) { return m_messenger && m_messenger->isOwnEndpoint(e); });
    if (dialog.exec() != QDialog::Accepted)
        return;
    if (const QString why = m_session.contacts().add(dialog.contact()); !why.isEmpty()) {
        QMessageBox::warning(this, tr("Add Contact"), why);
        return;
    }
    openConversation(dialog.contact().name);
}

void MainWindow::editContact(const QString& name)
{
    const auto contact = m_session.contacts().find(name);
    if (!contact)
        return;
    ContactDialog dialog(m_session.contacts(), *contact, contact->name, this);
    dialog.setOwnEndpoint([this](const Endpoint& e) { return m_messenger && m_messenger->isOwnEndpoint(e); });
    const Messenger::Security security = m_messenger ? m_messenger->security(name) : Messenger::Security{};
    dialog.showKey(security, m_session.identity().fingerprint());
    if (dialog.exec() != QDialog::Accepted)
        return;
    if (dialog.markedVerified() != security.verified)
        m_messenger->setVerified(name, dialog.markedVerified());
    if (const QString why = m_session.contacts().update(contact->name, dialog.contact()); !why.isEmpty())
        QMessageBox::warning(this, tr("Edit Contact"), why);
}

void MainWindow::removeContact(const QString& name)
{
    if (!m_session.contacts().find(name))
        return;
    const auto answer = QMessageBox::question(
        this, tr("Remove Contact"), tr("Remove %1 from your contacts?\n\nThe conversation history is kept.").arg(name));
    if (answer != QMessageBox::Yes)
        return;
    if (const QString why = m_session.contacts().remove(name); !why.isEmpty())
        QMessageBox::warning(this, tr("Remove Contact"), why);
    updateHeader();
}

void MainWindow::addSenderToContacts(const QString& peer)
{
    const auto endpoint = Endpoint::parse(peer);
    if (!endpoint)
        return;
    Contact prefill;
    prefill.host = endpoint->address.toString();
    prefill.port = endpoint->port;
    prefill.name = m_messenger ? m_messenger->nickOf(peer) : QString();
    // The dialog starts from what the stranger spoke: plain text or IPMsg, and its text encoding.
    if (m_messenger) {
        const Messenger::Route route = m_messenger->route(peer);
        prefill.protocol = route.protocol;
        prefill.encoding = route.encoding;
    }
    addContact(prefill);
}

void MainWindow::importContacts()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Import Contacts"), {},
                                                      tr("Contacts files (*.ini *.txt);;All files (*)"));
    if (path.isEmpty())
        return;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        QMessageBox::warning(this, tr("Import Contacts"), tr("Cannot read %1: %2").arg(path, file.errorString()));
        return;
    }
    QString error;
    const auto parsed = ContactBook::parse(file.read(1 << 20), &error);
    if (!parsed) {
        QMessageBox::warning(this, tr("Import Contacts"), tr("%1 is not a contacts file: %2").arg(path, error));
        return;
    }
    int added = 0;
    QStringList problems;
    for (const Contact& c : *parsed) {
        if (const QString why = m_session.contacts().add(c); why.isEmpty())
            ++added;
        else
            problems << QStringLiteral("%1: %2").arg(c.name, why);
    }
    QString summary = tr("%n contact(s) imported.", nullptr, added);
    if (!problems.isEmpty())
        summary += u"\n\n" + tr("Not imported:") + u'\n' + problems.join(u'\n');
    QMessageBox::information(this, tr("Import Contacts"), summary);
}

void MainWindow::exportContacts()
{
    const QString path = QFileDialog::getSaveFileName(this, tr("Export Contacts"), QStringLiteral("contacts.ini"),
                                                      tr("Contacts files (*.ini)"));
    if (path.isEmpty())
        return;
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(ContactBook::serialize(m_session.contacts().contacts())) < 0 ||
        !file.commit())
        QMessageBox::warning(this, tr("Export Contacts"), tr("Cannot write %1: %2").arg(path, file.errorString()));
}

void MainWindow::showSettings()
{
    Profile profile = m_session.profile();
    const bool wasListening = m_session.isListening();
    const Endpoint before = m_session.transport().localEndpoint();
    const quint16 port = wasListening ? before.port : profile.port();
    // What is in use, which may come from the command line rather than from the profile.
    const QHostAddress bind = m_session.bindAddress();
    SettingsDialog dialog(m_messenger ? m_messenger->identity().nick : profile.nickname(), bind, port,
                          m_session.broadcast(), m_session.contactsOnly(), this);
    dialog.setStartup(autostart::isEnabled(), profile.startHidden(), QSystemTrayIcon::isSystemTrayAvailable());
    dialog.setAutoAway(profile.awayAfterMinutes(), profile.idleAwayText());
    // What is in use, which may come from --downloads and --accept-files rather than from the profile.
    Transfers* transfers = m_session.transfers();
    const QString downloads = transfers ? transfers->downloadFolder() : QString();
    const bool autoAccept = transfers && transfers->autoAccept();
    const quint64 autoAcceptBytes = autoAccept ? transfers->autoAcceptMaxBytes() : profile.autoAcceptMaxBytes();
    dialog.setFiles(downloads, autoAccept, autoAcceptBytes);
    const quint64 shownBytes = dialog.autoAcceptMaxBytes(); // in whole MB
    // The address and port are tried before the dialog closes: one that cannot be used is not saved, and the
    // dialog says why while the user can still pick another.
    dialog.setApply([&] {
        const bool moved = !wasListening || dialog.port() != port || dialog.bindAddress() != bind;
        if (!moved)
            return QString();
        if (!m_session.rebind(dialog.bindAddress(), dialog.port())) {
            const QString why = listenProblem(dialog.bindAddress(), dialog.port());
            // Keep listening where Pigeon was, if it was.
            if (wasListening)
                m_session.rebind(bind, before.port);
            updateStatus();
            return why;
        }
        profile.setPort(dialog.port());
        profile.setBindAddress(dialog.bindAddress());
        return QString();
    });
    const bool accepted = dialog.exec() == QDialog::Accepted;
    updateStatus();
    if (!accepted)
        return;
    applyStartup(dialog.startAtLogin(), dialog.startHidden());
    profile.setAwayAfterMinutes(dialog.awayAfterMinutes());
    profile.setIdleAwayText(dialog.idleAwayText());
    m_autoAway->setTimeout(qint64(profile.awayAfterMinutes()) * 60'000, profile.idleAwayText());
    // A file choice made here is kept in the profile; one given on the command line only for this run.
    if (transfers && !dialog.downloadFolder().isEmpty() && dialog.downloadFolder() != downloads) {
        profile.setDownloadFolder(dialog.downloadFolder());
        transfers->setDownloadFolder(dialog.downloadFolder());
    }
    if (transfers && (dialog.autoAcceptFiles() != autoAccept || dialog.autoAcceptMaxBytes() != shownBytes)) {
        profile.setAutoAcceptFiles(dialog.autoAcceptFiles());
        profile.setAutoAcceptMaxBytes(dialog.autoAcceptMaxBytes());
        transfers->setAutoAccept(dialog.autoAcceptFiles(), dialog.autoAcceptMaxBytes());
    }
    if (m_messenger && !dialog.nick().isEmpty() && dialog.nick() != m_messenger->identity().nick) {
        profile.setNickname(dialog.nick());
        Identity identity = m_messenger->identity();
        identity.nick = dialog.nick();
        m_messenger->setIdentity(identity);
    }
    // A choice made here is kept in the profile; one given on the command line only for this run.
    if (dialog.broadcast() != m_session.broadcast()) {
        profile.setBroadcast(dialog.broadcast());
        m_session.setBroadcast(dialog.broadcast());
    }
    if (dialog.contactsOnly() != m_session.contactsOnly()) {
        profile.setContactsOnly(dialog.contactsOnly());
        m_session.setContactsOnly(dialog.contactsOnly());
    }
}

void MainWindow::applyStartup(bool atLogin, bool hidden)
{
    Profile profile = m_session.profile();
    profile.setStartHidden(hidden);
    QString error;
    // The entry starts this profile; the default one needs no --profile.
    const QString dir = profile.directory() == Profile().directory() ? QString() : profile.directory();
    if (atLogin != autostart::isEnabled() && !autostart::setEnabled(atLogin, dir, &error))
        QMessageBox::warning(this, tr("Settings"), error);
}

void MainWindow::showShortcuts()
{
    // Read from the menus, so the list never misses an action's shortcut.
    QString rows;
    const auto row = [&rows](const QString& keys, const QString& what) {
        rows += QStringLiteral("<tr><td><b>%1</b>&nbsp;&nbsp;</td><td>%2</td></tr>").arg(keys.toHtmlEscaped(), what);
    };
    row(tr("Enter / Shift+Enter"), tr("send / new line"));
    row(tr("Tab / Shift+Tab"), tr("next / previous control"));
    for (const QAction* menu : menuBar()->actions())
        for (const QAction* action : menu->menu()->actions())
            if (!action->shortcut().isEmpty())
                row(action->shortcut().toString(QKeySequence::NativeText),
                    action->text().remove(u'&').remove(u'…').toHtmlEscaped());
    QMessageBox box(QMessageBox::NoIcon, tr("Keyboard Shortcuts"), u"<table>" + rows + u"</table>", QMessageBox::Ok,
                    this);
    box.setObjectName(QStringLiteral("shortcuts"));
    box.exec();
}

void MainWindow::showAbout()
{
    QMessageBox::about(this, tr("About Pigeon"),
                       tr("<h3>Pigeon %1</h3><p>Chat across a LAN without any server: every message is one UDP "
                          "datagram. Speaks the IP Messenger protocol (IP Messenger, FeiQ, iptux) and plain "
                          "text.</p>")
                           .arg(QStringLiteral(PIGEON_VERSION)));
}

void MainWindow::newGroup()
{
    if (!m_messenger)
        return;
    QStringList names;
    for (const Contact& c : m_session.contacts().contacts())
        names.append(c.name);
    auto* dialog = new GroupDialog(names, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, [this, dialog] {
        QString error;
        const QString key = m_messenger->createGroup(dialog->name(), dialog->members(), &error);
        if (key.isEmpty()) {
            QMessageBox::warning(this, tr("New Group"), error);
            return;
        }
        openConversation(key);
    });
    dialog->open();
}

bool MainWindow::saveScreenshot(const QString& path)
{
    if (m_peer.isEmpty() && m_conversations.rowCount() > 0)
        openConversation(m_conversations.index(0).data(ConversationListModel::PeerRole).toString());
    show();
    // Lay everything out, including the view's delayed item layout, before painting.
    for (int i = 0; i < 5; ++i) {
        QCoreApplication::processEvents();
        m_threadView->doItemsLayout();
        m_threadView->scrollToNewest();
    }
    QCoreApplication::processEvents();
    QImage image = grab().toImage();
    // What the picture shows in words, in the interface's language (alt text for the README; a test reads it back).
    QStringList words;
    for (const QAction* menu : menuBar()->actions())
        words << menu->text();
    words << m_send->text();
    image.setText(QStringLiteral("Description"), words.join(u' ').remove(u'&'));
    return image.save(path, "PNG");
}
