#pragma once

#include "filebubble.h"

#include <QIdentityProxyModel>
#include <QListView>

class BubbleDelegate;
class ConversationModel;
class QPushButton;

// A conversation thread: bubbles over a ConversationModel, newest at the bottom. Older pages load when the user
// scrolls near the top (the view keeps what was on screen in place), new messages scroll into view unless the
// user scrolled up, in which case a "new messages" hint appears. Ctrl+C and the context menu copy a message;
// double-clicking one lets the user select part of it; links open on a click. A sealed message opens on a click
// or Enter (openRequested). A file bubble's actions (Accept, Cancel, Open…) are links (fileActionRequested); files
// and folders dropped on the thread are offered (filesDropped).
class ThreadView final : public QListView {
    Q_OBJECT
public:
    explicit ThreadView(QWidget* parent = nullptr);

    void setConversation(ConversationModel* model);
    BubbleDelegate* bubbles() const { return m_delegate; }
    // Shows the newest message and follows new ones again (loading the newest page if the conversation was opened
    // at an older message).
    void scrollToNewest();
    // Scrolls the message `id` (loaded by ConversationModel::setPeer(peer, id)) to the middle and selects it.
    void showMessage(qint64 id);
    bool isFollowing() const { return m_follow; }
    bool isNewMessagesHintVisible() const;
    // What is under a point of the viewport: a link's URL, or the id of a failed message whose Retry is there.
    QString linkAt(const QPoint& pos) const;
    qint64 retryAt(const QPoint& pos) const;
    // The id of the sealed message at a point of the viewport, or 0.
    qint64 sealedAt(const QPoint& pos) const;
    // Everything paint() draws for a row, in viewport coordinates, measured now (not from the layout's cache).
    QRect paintedRect(const QModelIndex& index) const;
    // A row's bubble, in viewport coordinates.
    QRect bubbleRect(const QModelIndex& index) const;
    // Where a file bubble's action is, in viewport coordinates (empty: that row has none such; View: the thumbnail).
    QRect fileActionRect(const QModelIndex& index, FileBubble::Action action) const;

Q_SIGNALS:
    void retryRequested(qint64 id);
    void linkActivated(const QUrl& url);
    // The user clicked a sealed message, or pressed Enter on it: its id.
    void openRequested(qint64 id);
    // The user clicked an action of the file bubble showing `info`.
    void fileActionRequested(const Transfers::Info& info, FileBubble::Action action);
    // Local files or folders were dropped on the thread: their paths.
    void filesDropped(const QStringList& paths);

protected:
    void updateGeometries() override;
    void changeEvent(QEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void contextMenuEvent(QContextMenuEvent* event) override;
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dragMoveEvent(QDragMoveEvent* event) override;
    void dropEvent(QDropEvent* event) override;

private:
    // The standard view fetches when the bottom is visible; a chat thread fetches older rows at the top instead.
    class Proxy final : public QIdentityProxyModel {
    public:
        using QIdentityProxyModel::QIdentityProxyModel;
        bool canFetchMore(const QModelIndex&) const override { return false; }
        Qt::ItemFlags flags(const QModelIndex& index) const override;
    };

    void applyThemeColors();
    void onRowsInserted(const QModelIndex& parent, int first, int last);
    void onScrolled(int value);
    void fetchOlder();
    void fetchNewer();
    void copyMessage(const QModelIndex& index);
    void placeHint();
    // Rows on screen get their exact height (others may keep an estimate from another width).
    void measureVisibleRows();
    QStyleOptionViewItem optionFor(const QModelIndex& index) const;

    ConversationModel* m_model = nullptr;
    Proxy m_proxy;
    BubbleDelegate* m_delegate;
    QPushButton* m_hint;
    bool m_follow = true;
    bool m_fetchQueued = false;
    bool m_fetchingNewer = false; // rows coming in below are a newer page, not new messages
    qint64 m_target = 0;          // a message to bring to the middle once the rows are laid out
    int m_anchorFromBottom = -1;  // while older rows come in: distance of the view from the bottom to restore
};
