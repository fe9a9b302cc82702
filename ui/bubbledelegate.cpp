#include "bubbledelegate.h"

#include "avatar.h"
#include "colors.h"
#include "conversationmodel.h"
#include "picture.h"

#include <QAbstractTextDocumentLayout>
#include <QApplication>
#include <QPainter>
#include <QPlainTextEdit>
#include <QRegularExpression>
#include <QTextBlock>
#include <QtMath>

namespace {

constexpr int Margin = 12;
constexpr int AvatarSize = 32;
constexpr int PadX = 12;
constexpr int PadY = 8;
constexpr int RowGap = 6;
constexpr int MaxBubbleWidth = 560;
constexpr int CachedLayouts = 800;
constexpr int TextWidthStep = 24; // px
constexpr int ThumbnailCacheKib = 48 * 1024;

QFont smallFont(const QFont& font);

// A group member's name above its message: small and bold.
QFont senderFont(const QFont& font)
{
    QFont bold = smallFont(font);
    bold.setBold(true);
    return bold;
}

QFont smallFont(const QFont& font)
{
    QFont small = font;
    small.setPointSizeF(font.pointSizeF() > 0 ? font.pointSizeF() * 0.82 : 8);
    return small;
}

// Web and mail links in received text: shown underlined, opened only on a click and only for these schemes.
const QRegularExpression& linkPattern()
{
    static const QRegularExpression re(
        QStringLiteral(R"((?:https?://|ftp://|mailto:|www\.)[^\s<>"'\x{3000}-\x{303f}\x{ff01}-\x{ff5e}]+)"),
        QRegularExpression::CaseInsensitiveOption);
    return re;
}

// The text as QTextLayout shows it: it ignores '\n', so line ends become its line separator; other control characters
// become their visible symbols (U+2400 block) rather than nothing. Same length, so link offsets stay valid.
QString layoutText(const QString& text)
{
    QString shown = text;
    for (QChar& c : shown) {
        if (c == u'\n')
            c = QChar::LineSeparator;
        else if (c.unicode() < 0x20 && c != u'\t')
            c = QChar(0x2400 + c.unicode());
        else if (c.unicode() == 0x7f)
            c = QChar(0x2421);
    }
    return shown;
}

} // namespace

BubbleDelegate::BubbleDelegate(QObject* parent)
    : QStyledItemDelegate(parent)
    , m_blocks(CachedLayouts)
    , m_thumbnails(ThumbnailCacheKib)
{
}

QImage BubbleDelegate::thumbnail(const Transfers::Info& info) const
{
    const QString path = FileBubble::localPath(info);
    if (path.isEmpty() || (!info.outgoing && info.state != TransferState::Done))
        return {};
    if (const QImage* cached = m_thumbnails.object(path))
        return *cached;
    // Decoded once (a refused or broken picture too, as a null image), with picture.h's limits.
    auto* image = new QImage(picture::isPicture(path) ? picture::read(path, FileBubble::Thumbnail) : QImage());
    m_thumbnails.insert(path, image, qMax<qsizetype>(1, image->sizeInBytes() / 1024));
    return *image;
}

FileBubble::Layout BubbleDelegate::fileLayout(const Transfers::Info& info, const QFont& font) const
{
    return FileBubble::layout(info, font, maxTextWidth(), thumbnail(info).size());
}

FileBubble::Action BubbleDelegate::fileActionAt(const QStyleOptionViewItem& option, const QModelIndex& index,
                                                const QPoint& pos) const
{
    const QVariant transfer = index.data(ConversationModel::TransferRole);
    if (!transfer.isValid())
        return FileBubble::Action::None;
    const Geometry g = geometry(option, index, false);
    return FileBubble::actionAt(fileLayout(transfer.value<Transfers::Info>(), option.font), pos - g.text.topLeft());
}

QRect BubbleDelegate::fileActionRect(const QStyleOptionViewItem& option, const QModelIndex& index,
                                     FileBubble::Action action) const
{
    const QVariant transfer = index.data(ConversationModel::TransferRole);
    if (!transfer.isValid())
        return {};
    const Geometry g = geometry(option, index, false);
    const FileBubble::Layout l = fileLayout(transfer.value<Transfers::Info>(), option.font);
    if (action == FileBubble::Action::View)
        return l.picture.translated(g.text.topLeft());
    for (const auto& [a, rect] : l.actions)
        if (a == action)
            return rect.translated(g.text.topLeft());
    return {};
}

void BubbleDelegate::setPeer(const QString& peer)
{
    m_peer = peer;
    m_blocks.clear();
    m_textSizes.clear();
    m_heights.clear();
    m_oneLine.clear();
}

bool BubbleDelegate::setWidth(int width)
{
    if (width == m_width)
        return false;
    m_width = width;
    // Rows change height only when the width text wraps at changes. Then the heights known so far stay as estimates
    // (measureRow() makes a row's exact when it is on screen): measuring a 100 000-row thread again at every step of
    // a resize would freeze the window for seconds.
    const int textWidth = maxTextWidth();
    if (textWidth == m_textWidth)
        return false;
    m_textWidth = textWidth;
    m_blocks.clear();
    m_textSizes.clear();
    ++m_generation;
    return true;
}

void BubbleDelegate::forget(qint64 id)
{
    m_heights.remove(id);
}

void BubbleDelegate::forgetText(qint64 id)
{
    m_blocks.remove(id);
    m_textSizes.remove(id);
    m_oneLine.remove(id);
}

QRect BubbleDelegate::paintedBubble(const QStyleOptionViewItem& option, const QModelIndex& index) const
{
    return geometry(option, index, false).bubble;
}

void BubbleDelegate::useFont(const QFont& font) const
{
    if (m_smallHeight >= 0 && font == m_font)
        return;
    m_font = font;
    m_lineHeight = qRound(QFontMetricsF(font).height());
    m_smallHeight = QFontMetrics(smallFont(font)).height();
    m_blocks.clear();
    m_textSizes.clear();
    m_heights.clear();
    m_oneLine.clear();
}

int BubbleDelegate::maxTextWidth() const
{
    const int bubble = qMin(MaxBubbleWidth, int((m_width - 2 * Margin - AvatarSize - 8) * 0.78));
    // In steps of TextWidthStep, so that most steps of a resize leave every row's height as it was.
    const int width = qMax(60, bubble - 2 * PadX);
    return width - width % TextWidthStep;
}

QString BubbleDelegate::stateText(int state)
{
    switch (MessageState(state)) {
    // Queued: for the contact to come online, or behind a failed message above until it is retried.
    case MessageState::Queued: return tr("Waiting to be sent");
    case MessageState::Sending: return tr("Sending…");
    case MessageState::Sent: return tr("Sent");
    case MessageState::Delivered: return tr("Delivered ✓");
    case MessageState::Read: return tr("Read ✓✓");
    case MessageState::Failed: return tr("Not delivered");
    case MessageState::Received: break;
    }
    return {};
}

QString BubbleDelegate::dayText(const QDate& day)
{
    const qint64 ago = day.daysTo(QDate::currentDate());
    if (ago == 0)
        return tr("Today");
    if (ago == 1)
        return tr("Yesterday");
    return QLocale().toString(day, QLocale::LongFormat);
}

QString BubbleDelegate::metaText(const QModelIndex& index)
{
    QString time = index.data(ConversationModel::TimeRole).toDateTime().toLocalTime().toString(QStringLiteral("HH:mm"));
    // A file bubble says its own state.
    if (index.data(ConversationModel::TransferRole).isValid())
        return time;
    // Nobody should take someone's absence note for a reply they typed.
    if (index.data(ConversationModel::AutoReplyRole).toBool())
        time += QStringLiteral("  ·  ") + tr("automatic answer");
    if (Direction(index.data(ConversationModel::DirectionRole).toInt()) != Direction::Outgoing)
        return time;
    if (const QString group = index.data(ConversationModel::GroupDeliveryRole).toString(); !group.isEmpty())
        return time + QStringLiteral("  ·  ") + group;
    return time + QStringLiteral("  ·  ") + stateText(index.data(ConversationModel::StateRole).toInt());
}

BubbleDelegate::Block* BubbleDelegate::block(const QModelIndex& index, const QFont& font) const
{
    const qint64 id = index.data(ConversationModel::IdRole).toLongLong();
    if (Block* cached = m_blocks.object(id))
        return cached;
    auto* b = new Block;
    const QString text = index.data(ConversationModel::TextRole).toString();
    b->layout.setText(layoutText(text));
    b->layout.setFont(font);
    QTextOption option;
    option.setWrapMode(QTextOption::WrapAtWordBoundaryOrAnywhere);
    option.setTextDirection(Qt::LeftToRight);
    b->layout.setTextOption(option);
    const bool mine = Direction(index.data(ConversationModel::DirectionRole).toInt()) == Direction::Outgoing;
    for (auto it = linkPattern().globalMatch(text); it.hasNext();) {
        const QRegularExpressionMatch match = it.next();
        QString url = match.captured();
        while (!url.isEmpty() && QStringLiteral(".,;:!?)]}").contains(url.back()))
            url.chop(1);
        QTextLayout::FormatRange range;
        range.start = int(match.capturedStart());
        range.length = int(url.size());
        range.format.setFontUnderline(true);
        if (!mine)
            range.format.setForeground(QColor(0x1e, 0x6f, 0xd9));
        b->links.append(range);
        b->urls.append(url.startsWith(QLatin1String("www."), Qt::CaseInsensitive) ? u"https://" + url : url);
    }
    b->layout.setFormats(b->links);
    const int width = maxTextWidth();
    qreal height = 0;
    qreal natural = 0;
    b->layout.beginLayout();
    for (QTextLine line = b->layout.createLine(); line.isValid(); line = b->layout.createLine()) {
        line.setLineWidth(width);
        line.setPosition(QPointF(0, height));
        height += line.height();
        natural = qMax(natural, line.naturalTextWidth());
    }
    b->layout.endLayout();
    b->size = QSizeF(qMax<qreal>(natural, 8), height);
    m_textSizes.insert(id, b->size.toSize() + QSize(1, 1));
    if (b->layout.lineCount() == 1 && !m_oneLine.contains(id))
        m_oneLine.insert(id, QSize(qCeil(natural), qRound(height)));
    m_blocks.insert(id, b);
    return b;
}

QSize BubbleDelegate::textSize(const QModelIndex& index, const QFont& font) const
{
    const qint64 id = index.data(ConversationModel::IdRole).toLongLong();
    const auto it = m_textSizes.constFind(id);
    if (it != m_textSizes.cend())
        return *it;
    // Most chat lines are short and fit on one line at any width the window has: their one-line size is kept across
    // resizes. Latin text is measured without a layout; other scripts may fall back to fonts with other line heights,
    // so they learn it from their first layout.
    auto line = m_oneLine.constFind(id);
    if (line == m_oneLine.cend()) {
        const QString text = index.data(ConversationModel::TextRole).toString();
        const bool simple =
            std::all_of(text.cbegin(), text.cend(), [](QChar c) { return c.unicode() >= 0x20 && c.unicode() < 0x250; });
        if (simple)
            line = m_oneLine.insert(id, QSize(qCeil(QFontMetricsF(font).horizontalAdvance(text)), m_lineHeight));
    }
    if (line != m_oneLine.cend() && line->isValid() && line->width() + 4 <= maxTextWidth()) {
        const QSize size(qMax(line->width(), 8) + 1, line->height() + 1);
        m_textSizes.insert(id, size);
        return size;
    }
    return block(index, font)->size.toSize() + QSize(1, 1);
}

BubbleDelegate::Geometry BubbleDelegate::geometry(const QStyleOptionViewItem& option, const QModelIndex& index,
                                                  bool withMeta) const
{
    Geometry g;
    useFont(option.font);
    const int smallHeight = m_smallHeight;
    const QRect r = option.rect;
    int y = r.top() + RowGap / 2;
    if (index.data(ConversationModel::FirstOfDayRole).toBool()) {
        g.separator = QRect(r.left(), y, m_width, smallHeight + 16);
        y += g.separator.height();
    }
    if (index.data(ConversationModel::SystemRole).toBool()) {
        const QString text = withMeta ? index.data(ConversationModel::TextRole).toString() : QString();
        const int w = qMin(m_width - 2 * Margin, QFontMetrics(smallFont(option.font)).horizontalAdvance(text) + 20);
        g.bubble = QRect(r.left() + (m_width - w) / 2, y, w, smallHeight + 6);
        g.text = g.bubble;
        g.height = g.bubble.bottom() + 1 + RowGap / 2 - r.top();
        return g;
    }
    const bool mine = Direction(index.data(ConversationModel::DirectionRole).toInt()) == Direction::Outgoing;
    const QVariant transfer = index.data(ConversationModel::TransferRole);
    const QSize text = transfer.isValid() ? fileLayout(transfer.value<Transfers::Info>(), option.font).size
                                          : textSize(index, option.font);
    const QString sender = mine ? QString() : index.data(ConversationModel::SenderRole).toString();
    const QSize name =
        sender.isEmpty() ? QSize()
                         : QSize(QFontMetrics(senderFont(option.font)).horizontalAdvance(sender) + 1, smallHeight + 2);
    const QSize bubble(qMax(text.width(), name.width()) + 2 * PadX, text.height() + name.height() + 2 * PadY);
    if (mine) {
        g.bubble = QRect(QPoint(r.left() + m_width - Margin - bubble.width(), y), bubble);
    } else {
        g.avatar = QRect(r.left() + Margin, y, AvatarSize, AvatarSize);
        g.bubble = QRect(QPoint(g.avatar.right() + 9, y), bubble);
    }
    if (!sender.isEmpty())
        g.sender = QRect(g.bubble.topLeft() + QPoint(PadX, PadY), name);
    g.text = QRect(g.bubble.topLeft() + QPoint(PadX, PadY + name.height()), text);
    y = g.bubble.bottom() + 3;
    if (!withMeta) {
        g.height = qMax(y + smallHeight - 1, g.avatar.bottom()) + 1 + RowGap / 2 - r.top();
        return g;
    }
    const QString meta = metaText(index);
    const QFontMetrics fm(smallFont(option.font));
    const int metaWidth = fm.horizontalAdvance(meta);
    const bool failed = MessageState(index.data(ConversationModel::StateRole).toInt()) == MessageState::Failed;
    const int retryWidth = failed ? fm.horizontalAdvance(tr("Retry")) + 12 : 0;
    if (mine)
        g.meta = QRect(g.bubble.right() - metaWidth - retryWidth, y, metaWidth, smallHeight);
    else
        g.meta = QRect(g.bubble.left(), y, metaWidth, smallHeight);
    if (failed && mine)
        g.retry = QRect(g.meta.right() + 8, y, retryWidth - 4, smallHeight);
    g.height = qMax(g.meta.bottom(), g.avatar.bottom()) + 1 + RowGap / 2 - r.top();
    return g;
}

QSize BubbleDelegate::sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const
{
    // The view asks for every loaded row whenever rows come in: answered from the cache after the first time.
    const qint64 id = index.data(ConversationModel::IdRole).toLongLong();
    if (option.font == m_font) {
        const auto it = m_heights.constFind(id);
        if (it != m_heights.cend())
            return {m_width, it->height}; // exact, or an estimate from another width
    }
    QStyleOptionViewItem opt = option;
    opt.rect = QRect(0, 0, m_width, 0);
    const int height = geometry(opt, index, false).height;
    m_heights.insert(id, {height, m_generation});
    return {m_width, height};
}

bool BubbleDelegate::measureRow(const QStyleOptionViewItem& option, const QModelIndex& index) const
{
    const qint64 id = index.data(ConversationModel::IdRole).toLongLong();
    const auto it = m_heights.constFind(id);
    if (it != m_heights.cend() && it->generation == m_generation && option.font == m_font)
        return false;
    return remeasure(option, index);
}

bool BubbleDelegate::remeasure(const QStyleOptionViewItem& option, const QModelIndex& index) const
{
    const qint64 id = index.data(ConversationModel::IdRole).toLongLong();
    const auto it = m_heights.constFind(id);
    const int before = it != m_heights.cend() ? it->height : -1;
    QStyleOptionViewItem opt = option;
    opt.rect = QRect(0, 0, m_width, 0);
    const int height = geometry(opt, index, false).height;
    m_heights.insert(id, {height, m_generation});
    return height != before;
}

void BubbleDelegate::paint(QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const
{
    const Geometry g = geometry(option, index);
    const QPalette& pal = option.palette;
    const QFont small = smallFont(option.font);
    painter->save();
    painter->setRenderHint(QPainter::Antialiasing);
    if (!g.separator.isEmpty()) {
        const QDate day = index.data(ConversationModel::TimeRole).toDateTime().toLocalTime().date();
        const QString text = dayText(day);
        painter->setFont(small);
        const int w = QFontMetrics(small).horizontalAdvance(text) + 24;
        const QRect pill(g.separator.center().x() - w / 2, g.separator.top() + 4, w, g.separator.height() - 8);
        painter->setPen(Qt::NoPen);
        painter->setBrush(colors::mix(pal.color(QPalette::Base), pal.color(QPalette::Text), 0.08));
        painter->drawRoundedRect(pill, pill.height() / 2.0, pill.height() / 2.0);
        painter->setPen(colors::secondaryText(pal));
        painter->drawText(pill, Qt::AlignCenter, text);
    }
    if (index.data(ConversationModel::SystemRole).toBool()) {
        painter->setFont(small);
        painter->setPen(colors::secondaryText(pal));
        const QString text = index.data(ConversationModel::TextRole).toString();
        painter->drawText(g.bubble, Qt::AlignCenter,
                          QFontMetrics(small).elidedText(text, Qt::ElideRight, g.bubble.width()));
        painter->restore();
        paintFocus(painter, option, g.bubble);
        return;
    }
    const bool mine = Direction(index.data(ConversationModel::DirectionRole).toInt()) == Direction::Outgoing;
    // In a group each member has its avatar and color, and its name heads its bubbles.
    const QString sender = index.data(ConversationModel::SenderRole).toString();
    const QString author = sender.isEmpty() ? m_peer : sender;
    if (!mine)
        paintAvatar(*painter, g.avatar, author);
    const QColor fill = mine ? colors::myBubble(pal) : colors::peerBubble(pal, author);
    const QColor ink = mine ? colors::myBubbleText(pal) : pal.color(QPalette::Text);
    painter->setBrush(fill);
    if (option.state & QStyle::State_Selected)
        painter->setPen(QPen(colors::mix(fill, pal.color(QPalette::Text), 0.7), 2));
    else
        painter->setPen(Qt::NoPen);
    painter->drawRoundedRect(QRectF(g.bubble).adjusted(0.5, 0.5, -0.5, -0.5), 12, 12);
    if (!g.sender.isEmpty()) {
        painter->setFont(senderFont(option.font));
        painter->setPen(colors::mix(colors::forPeer(author), pal.color(QPalette::Text), 0.35));
        painter->drawText(g.sender, Qt::AlignLeft | Qt::AlignTop, sender);
        painter->setFont(option.font);
    }
    painter->setPen(ink);
    if (const QVariant transfer = index.data(ConversationModel::TransferRole); transfer.isValid()) {
        const auto info = transfer.value<Transfers::Info>();
        const QImage picture = thumbnail(info);
        painter->translate(g.text.topLeft());
        FileBubble::paint(painter, FileBubble::layout(info, option.font, maxTextWidth(), picture.size()), info,
                          option.font, ink, colors::mix(ink, fill, 0.35), mine ? ink : pal.color(QPalette::Link),
                          picture);
        painter->translate(-g.text.topLeft());
    } else {
        block(index, option.font)->layout.draw(painter, g.text.topLeft());
    }

    painter->setFont(small);
    const int state = index.data(ConversationModel::StateRole).toInt();
    const bool failed = MessageState(state) == MessageState::Failed;
    painter->setPen(failed ? QColor(0xe5, 0x39, 0x35) : colors::secondaryText(pal));
    painter->drawText(g.meta, Qt::AlignVCenter | (mine ? Qt::AlignRight : Qt::AlignLeft), metaText(index));
    if (!g.retry.isEmpty()) {
        QFont link = small;
        link.setUnderline(true);
        link.setBold(true);
        painter->setFont(link);
        painter->setPen(pal.color(QPalette::Link));
        painter->drawText(g.retry, Qt::AlignVCenter | Qt::AlignLeft, tr("Retry"));
    }
    painter->restore();
    paintFocus(painter, option, g.bubble.adjusted(-3, -3, 3, 3));
}

void BubbleDelegate::paintFocus(QPainter* painter, const QStyleOptionViewItem& option, const QRect& rect) const
{
    // Keyboard focus on a message, drawn the way the style draws it everywhere else.
    if (!(option.state & QStyle::State_HasFocus))
        return;
    QStyleOptionFocusRect focus;
    focus.QStyleOption::operator=(option);
    focus.rect = rect;
    focus.state |= QStyle::State_KeyboardFocusChange | QStyle::State_Item;
    focus.backgroundColor = option.palette.color(QPalette::Base);
    QStyle* style = option.widget ? option.widget->style() : QApplication::style();
    style->drawPrimitive(QStyle::PE_FrameFocusRect, &focus, painter, option.widget);
}

QString BubbleDelegate::linkAt(const QStyleOptionViewItem& option, const QModelIndex& index, const QPoint& pos) const
{
    if (index.data(ConversationModel::SystemRole).toBool() || index.data(ConversationModel::TransferRole).isValid())
        return {};
    const Geometry g = geometry(option, index);
    if (!g.text.contains(pos))
        return {};
    Block* b = block(index, option.font);
    const QPointF at = pos - g.text.topLeft();
    for (int i = 0; i < b->layout.lineCount(); ++i) {
        const QTextLine line = b->layout.lineAt(i);
        if (at.y() < line.y() || at.y() >= line.y() + line.height())
            continue;
        if (at.x() > line.naturalTextWidth())
            return {};
        const int cursor = line.xToCursor(at.x(), QTextLine::CursorOnCharacter);
        for (qsizetype l = 0; l < b->links.size(); ++l)
            if (cursor >= b->links[l].start && cursor < b->links[l].start + b->links[l].length)
                return b->urls.at(l);
    }
    return {};
}

QRect BubbleDelegate::paintedRect(const QStyleOptionViewItem& option, const QModelIndex& index) const
{
    const Geometry g = geometry(option, index);
    return g.separator | g.avatar | g.bubble | g.meta | g.retry;
}

bool BubbleDelegate::isRetryAt(const QStyleOptionViewItem& option, const QModelIndex& index, const QPoint& pos) const
{
    return geometry(option, index).retry.contains(pos);
}

QWidget* BubbleDelegate::createEditor(QWidget* parent, const QStyleOptionViewItem& option, const QModelIndex&) const
{
    auto* editor = new QPlainTextEdit(parent);
    editor->setReadOnly(true);
    editor->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    editor->setFrameShape(QFrame::NoFrame);
    editor->setFont(option.font);
    editor->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    editor->setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    editor->setWordWrapMode(QTextOption::WrapAtWordBoundaryOrAnywhere);
    editor->document()->setDocumentMargin(0);
    editor->setContentsMargins(0, 0, 0, 0);
    editor->setToolTip(tr("Select text and press Ctrl+C to copy; Esc closes."));
    return editor;
}

void BubbleDelegate::setEditorData(QWidget* editor, const QModelIndex& index) const
{
    auto* edit = static_cast<QPlainTextEdit*>(editor);
    edit->setPlainText(index.data(ConversationModel::TextRole).toString());
    const bool mine = Direction(index.data(ConversationModel::DirectionRole).toInt()) == Direction::Outgoing;
    QPalette pal = edit->palette();
    pal.setColor(QPalette::Base, mine ? colors::myBubble(pal) : colors::peerBubble(pal, m_peer));
    pal.setColor(QPalette::Text, mine ? colors::myBubbleText(pal) : pal.color(QPalette::Text));
    edit->setPalette(pal);
}

void BubbleDelegate::setModelData(QWidget*, QAbstractItemModel*, const QModelIndex&) const
{
    // Read-only: the editor exists for selecting and copying part of a message.
}

void BubbleDelegate::updateEditorGeometry(QWidget* editor, const QStyleOptionViewItem& option,
                                          const QModelIndex& index) const
{
    const Geometry g = geometry(option, index);
    editor->setGeometry(g.text.adjusted(0, 0, 4, 2));
}
