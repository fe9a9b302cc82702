#include "threadview.h"

#include "bubbledelegate.h"
#include "colors.h"
#include "conversationmodel.h"

#include <QApplication>
#include <QClipboard>
#include <QContextMenuEvent>
#include <QDesktopServices>
#include <QMenu>
#include <QMimeData>
#include <QPushButton>
#include <QScrollBar>
#include <QTimer>
#include <QUrl>

Qt::ItemFlags ThreadView::Proxy::flags(const QModelIndex& index) const
{
    Qt::ItemFlags f = QIdentityProxyModel::flags(index);
    // "Editable" only opens the read-only selection editor; system lines and sealed messages have nothing worth
    // selecting.
    if (index.isValid() && !index.data(ConversationModel::SystemRole).toBool() &&
        !index.data(ConversationModel::SealedRole).toBool() && !index.data(ConversationModel::TransferRole).isValid())
        f |= Qt::ItemIsEditable;
    return f;
}

ThreadView::ThreadView(QWidget* parent)
    : QListView(parent)
    , m_delegate(new BubbleDelegate(this))
    , m_hint(new QPushButton(tr("New messages ↓"), this))
{
    setItemDelegate(m_delegate);
    setVerticalScrollMode(ScrollPerPixel);
    setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    setResizeMode(Adjust);
    setSelectionMode(SingleSelection);
    setEditTriggers(DoubleClicked);
    setMouseTracking(true);
    setFrameShape(QFrame::NoFrame);
    setAcceptDrops(true);
    viewport()->setAcceptDrops(true);
    setDropIndicatorShown(false);
    setAccessibleName(tr("Conversation"));
    applyThemeColors();
    m_hint->hide();
    m_hint->setCursor(Qt::PointingHandCursor);
    connect(m_hint, &QPushButton::clicked, this, &ThreadView::scrollToNewest);
    // Received text is only displayed: a link opens in the browser on the user's click, and only web and mail links.
    connect(this, &ThreadView::linkActivated, this, [](const QUrl& url) {
        if (url.scheme() == u"http" || url.scheme() == u"https" || url.scheme() == u"ftp" || url.scheme() == u"mailto")
            QDesktopServices::openUrl(url);
    });
    connect(verticalScrollBar(), &QScrollBar::valueChanged, this, &ThreadView::onScrolled);
    connect(&m_proxy, &QAbstractItemModel::rowsInserted, this, &ThreadView::onRowsInserted);
    connect(&m_proxy, &QAbstractItemModel::modelReset, this, [this] {
        m_follow = true;
        m_anchorFromBottom = -1;
        m_hint->hide();
        m_delegate->setPeer(m_model ? m_model->peer() : QString());
    });
    connect(&m_proxy, &QAbstractItemModel::dataChanged, this,
            [this](const QModelIndex& first, const QModelIndex& last, const QList<int>& roles) {
                if (roles.contains(ConversationModel::TransferRole)) {
                    // Progress leaves a file bubble's height; a new state (other actions, a thumbnail) may not.
                    bool moved = false;
                    for (int row = first.row(); row <= last.row(); ++row)
                        moved = m_delegate->remeasure(optionFor(m_proxy.index(row, 0)), m_proxy.index(row, 0)) || moved;
                    if (moved)
                        scheduleDelayedItemsLayout();
                    return;
                }
                const bool text = roles.isEmpty() || roles.contains(ConversationModel::TextRole);
                if (!text && !roles.contains(ConversationModel::FirstOfDayRole))
                    return;
                for (int row = first.row(); row <= last.row(); ++row) {
                    const qint64 id = m_proxy.index(row, 0).data(ConversationModel::IdRole).toLongLong();
                    if (text)
                        m_delegate->forgetText(id); // a sealed message opened
                    m_delegate->forget(id);
                }
                scheduleDelayedItemsLayout();
            });
    setModel(&m_proxy);
}

void ThreadView::applyThemeColors()
{
    QPalette pal = QApplication::palette(this);
    pal.setColor(QPalette::Base, colors::threadBackground(pal));
    setPalette(pal);
}

void ThreadView::changeEvent(QEvent* event)
{
    QListView::changeEvent(event);
    // A theme switch (light to dark) reaches widgets with a palette of their own only as this event.
    if (event->type() == QEvent::ApplicationPaletteChange)
        applyThemeColors();
}

void ThreadView::setConversation(ConversationModel* model)
{
    m_model = model;
    m_proxy.setSourceModel(model);
    m_delegate->setPeer(model ? model->peer() : QString());
}

void ThreadView::resizeEvent(QResizeEvent* event)
{
    const bool changed = m_delegate->setWidth(viewport()->width());
    QListView::resizeEvent(event);
    // A list flowing top to bottom lays its rows out again only when its height changes; wrapped bubbles change
    // height with the width (the scroll bar coming or going changes it too), so that is when they must be laid out.
    if (changed)
        scheduleDelayedItemsLayout();
    placeHint();
}

QRect ThreadView::paintedRect(const QModelIndex& index) const
{
    return index.isValid() ? m_delegate->paintedRect(optionFor(index), index) : QRect();
}

QRect ThreadView::bubbleRect(const QModelIndex& index) const
{
    return index.isValid() ? m_delegate->paintedBubble(optionFor(index), index) : QRect();
}

void ThreadView::placeHint()
{
    m_hint->adjustSize();
    const QRect vp = viewport()->geometry();
    m_hint->move(vp.center().x() - m_hint->width() / 2, vp.bottom() - m_hint->height() - 10);
}

bool ThreadView::isNewMessagesHintVisible() const
{
    return m_hint->isVisibleTo(this);
}

void ThreadView::scrollToNewest()
{
    if (m_model && m_model->canFetchNewer())
        m_model->setPeer(m_model->peer());
    m_follow = true;
    m_hint->hide();
    verticalScrollBar()->setValue(verticalScrollBar()->maximum());
    // Rows inserted a moment ago are laid out later; updateGeometries() follows them.
    scheduleDelayedItemsLayout();
}

void ThreadView::showMessage(qint64 id)
{
    const QModelIndex source = m_model ? m_model->indexOfId(id) : QModelIndex();
    if (!source.isValid())
        return;
    m_follow = false;
    m_anchorFromBottom = -1;
    m_target = id;
    const QModelIndex index = m_proxy.mapFromSource(source);
    setCurrentIndex(index);
    selectionModel()->select(index, QItemSelectionModel::ClearAndSelect);
    scheduleDelayedItemsLayout();
}

void ThreadView::updateGeometries()
{
    QListView::updateGeometries();
    QScrollBar* bar = verticalScrollBar();
    if (m_target != 0 && m_model) {
        const QModelIndex source = m_model->indexOfId(std::exchange(m_target, 0));
        if (source.isValid())
            scrollTo(m_proxy.mapFromSource(source), PositionAtCenter);
    } else if (m_anchorFromBottom >= 0) {
        bar->setValue(bar->maximum() - m_anchorFromBottom);
        m_anchorFromBottom = -1;
    } else if (m_follow) {
        bar->setValue(bar->maximum());
    }
    measureVisibleRows();
    // A short first page does not fill the view, and no scrolling will ever ask for more.
    if (bar->maximum() == 0 && m_model && m_model->canFetchMore({}) && !m_fetchQueued) {
        m_fetchQueued = true;
        QTimer::singleShot(0, this, &ThreadView::fetchOlder);
    } else if (bar->maximum() == 0 && m_model && m_model->canFetchNewer() && !m_fetchQueued) {
        m_fetchQueued = true;
        QTimer::singleShot(0, this, &ThreadView::fetchNewer);
    }
}

void ThreadView::measureVisibleRows()
{
    const QRect area = viewport()->rect();
    bool changed = false;
    for (int y = 0; y < area.height();) {
        const QModelIndex index = indexAt(QPoint(area.width() / 2, y));
        if (!index.isValid())
            break;
        changed = m_delegate->measureRow(optionFor(index), index) || changed;
        y = qMax(y + 1, visualRect(index).bottom() + 1);
    }
    if (changed)
        scheduleDelayedItemsLayout();
}

void ThreadView::onScrolled(int value)
{
    measureVisibleRows();
    QScrollBar* bar = verticalScrollBar();
    // Opened at an older message, the view follows nothing until the newest page is loaded.
    if (m_anchorFromBottom < 0 && m_target == 0)
        m_follow = value >= bar->maximum() - 4 && !(m_model && m_model->canFetchNewer());
    if (m_follow)
        m_hint->hide();
    if (value <= viewport()->height() / 2 && m_model && m_model->canFetchMore({}) && !m_fetchQueued) {
        m_fetchQueued = true;
        QTimer::singleShot(0, this, &ThreadView::fetchOlder);
    } else if (value >= bar->maximum() - viewport()->height() / 2 && m_model && m_model->canFetchNewer() &&
               !m_fetchQueued) {
        m_fetchQueued = true;
        QTimer::singleShot(0, this, &ThreadView::fetchNewer);
    }
}

void ThreadView::fetchNewer()
{
    m_fetchQueued = false;
    if (!m_model || !m_model->canFetchNewer())
        return;
    // Rows added below the ones on screen move nothing: no anchor is needed.
    m_fetchingNewer = true;
    m_model->fetchNewer();
    m_fetchingNewer = false;
}

void ThreadView::fetchOlder()
{
    m_fetchQueued = false;
    if (!m_model || !m_model->canFetchMore({}))
        return;
    QScrollBar* bar = verticalScrollBar();
    m_anchorFromBottom = bar->maximum() - bar->value();
    m_model->fetchMore({});
}

void ThreadView::onRowsInserted(const QModelIndex&, int first, int last)
{
    if ((first == 0 && last + 1 < m_proxy.rowCount()) || m_fetchingNewer)
        return; // older rows: the anchor keeps the view still; a newer page: no news
    bool mine = false;
    for (int row = first; row <= last; ++row)
        mine = mine ||
               Direction(m_proxy.index(row, 0).data(ConversationModel::DirectionRole).toInt()) == Direction::Outgoing;
    if (mine)
        m_follow = true;
    if (!m_follow && last == m_proxy.rowCount() - 1) {
        placeHint();
        m_hint->show();
        m_hint->raise();
    }
}

QStyleOptionViewItem ThreadView::optionFor(const QModelIndex& index) const
{
    QStyleOptionViewItem option;
    initViewItemOption(&option);
    option.rect = visualRect(index);
    return option;
}

void ThreadView::copyMessage(const QModelIndex& index)
{
    if (index.isValid())
        QApplication::clipboard()->setText(index.data(ConversationModel::TextRole).toString());
}

void ThreadView::keyPressEvent(QKeyEvent* event)
{
    if (event == QKeySequence::Copy) {
        copyMessage(currentIndex());
        return;
    }
    const QVariant transfer = currentIndex().data(ConversationModel::TransferRole);
    if ((event->key() == Qt::Key_Return || event->key() == Qt::Key_Enter) && transfer.isValid()) {
        // A file bubble's first action (Accept an offer, Open what is done) from the keyboard; the context menu has
        // them all.
        const auto info = transfer.value<Transfers::Info>();
        const QList<FileBubble::Action> actions = FileBubble::actionsFor(info);
        if (!actions.isEmpty())
            Q_EMIT fileActionRequested(info, actions.first());
        return;
    }
    if ((event->key() == Qt::Key_Return || event->key() == Qt::Key_Enter) &&
        currentIndex().data(ConversationModel::SealedRole).toBool()) {
        Q_EMIT openRequested(currentIndex().data(ConversationModel::IdRole).toLongLong());
        return;
    }
    QListView::keyPressEvent(event);
}

QString ThreadView::linkAt(const QPoint& pos) const
{
    const QModelIndex index = indexAt(pos);
    return index.isValid() ? m_delegate->linkAt(optionFor(index), index, pos) : QString();
}

qint64 ThreadView::retryAt(const QPoint& pos) const
{
    const QModelIndex index = indexAt(pos);
    if (!index.isValid() || !m_delegate->isRetryAt(optionFor(index), index, pos))
        return 0;
    return index.data(ConversationModel::IdRole).toLongLong();
}

QRect ThreadView::fileActionRect(const QModelIndex& index, FileBubble::Action action) const
{
    return index.isValid() ? m_delegate->fileActionRect(optionFor(index), index, action) : QRect();
}

qint64 ThreadView::sealedAt(const QPoint& pos) const
{
    const QModelIndex index = indexAt(pos);
    if (!index.isValid() || !index.data(ConversationModel::SealedRole).toBool() || !bubbleRect(index).contains(pos))
        return 0;
    return index.data(ConversationModel::IdRole).toLongLong();
}

void ThreadView::mouseReleaseEvent(QMouseEvent* event)
{
    const QPoint pos = event->position().toPoint();
    if (event->button() == Qt::LeftButton) {
        const QModelIndex index = indexAt(pos);
        if (const FileBubble::Action action =
                index.isValid() ? m_delegate->fileActionAt(optionFor(index), index, pos) : FileBubble::Action::None;
            action != FileBubble::Action::None) {
            Q_EMIT fileActionRequested(index.data(ConversationModel::TransferRole).value<Transfers::Info>(), action);
            return;
        }
        if (const qint64 id = sealedAt(pos)) {
            Q_EMIT openRequested(id);
            return;
        }
        if (const qint64 id = retryAt(pos)) {
            Q_EMIT retryRequested(id);
            return;
        }
        if (const QString link = linkAt(pos); !link.isEmpty()) {
            Q_EMIT linkActivated(QUrl(link));
            return;
        }
    }
    QListView::mouseReleaseEvent(event);
}

void ThreadView::mouseMoveEvent(QMouseEvent* event)
{
    const QPoint pos = event->position().toPoint();
    const QModelIndex index = indexAt(pos);
    const bool clickable =
        retryAt(pos) != 0 || !linkAt(pos).isEmpty() || sealedAt(pos) != 0 ||
        (index.isValid() && m_delegate->fileActionAt(optionFor(index), index, pos) != FileBubble::Action::None);
    viewport()->setCursor(clickable ? Qt::PointingHandCursor : Qt::ArrowCursor);
    QListView::mouseMoveEvent(event);
}

void ThreadView::contextMenuEvent(QContextMenuEvent* event)
{
    const QModelIndex index = indexAt(event->pos());
    if (!index.isValid())
        return;
    setCurrentIndex(index);
    QMenu menu(this);
    if (const QVariant transfer = index.data(ConversationModel::TransferRole); transfer.isValid()) {
        const auto info = transfer.value<Transfers::Info>();
        for (const FileBubble::Action action : FileBubble::actionsFor(info))
            menu.addAction(FileBubble::actionText(action), this,
                           [this, info, action] { Q_EMIT fileActionRequested(info, action); });
        if (!menu.isEmpty())
            menu.addSeparator();
    }
    menu.addAction(tr("&Copy"), QKeySequence::Copy, this, [this, index] { copyMessage(index); });
    if (index.flags() & Qt::ItemIsEditable)
        menu.addAction(tr("&Select Text…"), this, [this, index] { edit(index); });
    const QString link = m_delegate->linkAt(optionFor(index), index, event->pos());
    if (!link.isEmpty()) {
        menu.addAction(tr("Open &Link"), this, [this, link] { Q_EMIT linkActivated(QUrl(link)); });
        menu.addAction(tr("Copy Link &Address"), this, [link] { QApplication::clipboard()->setText(link); });
    }
    if (MessageState(index.data(ConversationModel::StateRole).toInt()) == MessageState::Failed &&
        Direction(index.data(ConversationModel::DirectionRole).toInt()) == Direction::Outgoing) {
        const qint64 id = index.data(ConversationModel::IdRole).toLongLong();
        menu.addAction(tr("&Retry"), this, [this, id] { Q_EMIT retryRequested(id); });
    }
    menu.exec(event->globalPos());
}

namespace {

// The local files and folders a drag carries (a file manager's URLs); empty for anything else.
QStringList localPaths(const QMimeData* mime)
{
    QStringList paths;
    if (!mime || !mime->hasUrls())
        return paths;
    for (const QUrl& url : mime->urls())
        if (url.isLocalFile())
            paths.append(url.toLocalFile());
    return paths;
}

} // namespace

void ThreadView::dragEnterEvent(QDragEnterEvent* event)
{
    if (m_model && !m_model->peer().isEmpty() && !localPaths(event->mimeData()).isEmpty())
        event->acceptProposedAction();
    else
        event->ignore();
}

void ThreadView::dragMoveEvent(QDragMoveEvent* event)
{
    if (m_model && !m_model->peer().isEmpty() && !localPaths(event->mimeData()).isEmpty())
        event->acceptProposedAction();
    else
        event->ignore();
}

void ThreadView::dropEvent(QDropEvent* event)
{
    const QStringList paths = localPaths(event->mimeData());
    if (paths.isEmpty() || !m_model || m_model->peer().isEmpty()) {
        event->ignore();
        return;
    }
    event->acceptProposedAction();
    Q_EMIT filesDropped(paths);
}
