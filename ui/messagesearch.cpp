#include "messagesearch.h"

#include "colors.h"
#include "history.h"
#include "messenger.h"

#include <QAbstractTextDocumentLayout>
#include <QApplication>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPainter>
#include <QScrollBar>
#include <QStyledItemDelegate>
#include <QTextDocument>
#include <QToolButton>
#include <QVBoxLayout>

namespace {

// How many characters of a message a result shows around the first match.
constexpr int ExcerptWidth = 90;
constexpr int SearchDelayMs = 150;

// Paints a result's rich text (HtmlRole): conversation and date, then the excerpt with the matches marked.
class ResultDelegate final : public QStyledItemDelegate {
public:
    using QStyledItemDelegate::QStyledItemDelegate;

    void paint(QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const override
    {
        QStyleOptionViewItem opt = option;
        initStyleOption(&opt, index);
        opt.text.clear();
        const QWidget* widget = opt.widget;
        QStyle* style = widget ? widget->style() : QApplication::style();
        style->drawControl(QStyle::CE_ItemViewItem, &opt, painter, widget);
        QTextDocument doc;
        layout(doc, opt, index);
        QAbstractTextDocumentLayout::PaintContext context;
        context.palette = opt.palette;
        if (opt.state & QStyle::State_Selected)
            context.palette.setColor(QPalette::Text, opt.palette.color(QPalette::HighlightedText));
        painter->save();
        painter->translate(opt.rect.topLeft() + QPoint(Margin, Margin));
        painter->setClipRect(QRect(0, 0, opt.rect.width() - 2 * Margin, opt.rect.height() - 2 * Margin));
        doc.documentLayout()->draw(painter, context);
        painter->restore();
    }

    QSize sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const override
    {
        QStyleOptionViewItem opt = option;
        initStyleOption(&opt, index);
        QTextDocument doc;
        layout(doc, opt, index);
        return {opt.rect.width(), int(doc.size().height()) + 2 * Margin};
    }

private:
    static constexpr int Margin = 4;

    static void layout(QTextDocument& doc, const QStyleOptionViewItem& opt, const QModelIndex& index)
    {
        doc.setDefaultFont(opt.font);
        doc.setDocumentMargin(0);
        doc.setHtml(index.data(MessageSearch::HtmlRole).toString());
        const int width = opt.widget ? opt.widget->width() : opt.rect.width();
        doc.setTextWidth(std::max(80, width - 2 * Margin - 20));
    }
};

// A result as rich text. Everything that came from the network is HTML-escaped: it is only ever displayed.
QString resultHtml(const SearchHit& hit, const QString& who, const QPalette& palette)
{
    QList<search::Span> marks;
    const QString text = search::excerpt(hit.message.text, hit.spans, ExcerptWidth, &marks);
    const QString mark = QStringLiteral("<span style=\"background-color:%1;font-weight:bold\">")
                             .arg(colors::searchMatch(palette).name());
    QString body;
    qsizetype at = 0;
    for (const search::Span& s : std::as_const(marks)) {
        body += text.mid(at, s.start - at).toHtmlEscaped() + mark + text.mid(s.start, s.length).toHtmlEscaped() +
                QStringLiteral("</span>");
        at = s.start + s.length;
    }
    body += text.mid(at).toHtmlEscaped();
    const QString when = QLocale().toString(hit.message.time.toLocalTime(), QLocale::ShortFormat).toHtmlEscaped();
    return QStringLiteral("<b>%1</b> &nbsp;<span style=\"color:%2\">%3</span><br>%4")
        .arg(who.toHtmlEscaped(), colors::secondaryText(palette).name(), when, body);
}

} // namespace

MessageSearch::MessageSearch(History* history, const Messenger* messenger, QWidget* parent)
    : QWidget(parent)
    , m_history(history)
    , m_messenger(messenger)
    , m_query(new QLineEdit)
    , m_results(new QListWidget)
    , m_note(new QLabel)
{
    m_query->setObjectName(QStringLiteral("messageSearch"));
    m_query->setPlaceholderText(tr("Search messages (Ctrl+Shift+F)"));
    m_query->setClearButtonEnabled(true);
    m_query->setAccessibleName(tr("Search messages"));
    m_query->installEventFilter(this);
    auto* close = new QToolButton;
    close->setText(tr("Close"));
    close->setToolTip(tr("Back to the conversations (Esc)"));
    close->setAutoRaise(true);
    connect(close, &QToolButton::clicked, this, &MessageSearch::closeRequested);
    m_results->setObjectName(QStringLiteral("searchResults"));
    m_results->setAccessibleName(tr("Messages found"));
    m_results->setItemDelegate(new ResultDelegate(m_results));
    m_results->setFrameShape(QFrame::NoFrame);
    m_results->setVerticalScrollMode(QAbstractItemView::ScrollPerPixel);
    m_results->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_results->setResizeMode(QListView::Adjust);
    m_results->setWordWrap(true);
    m_results->installEventFilter(this);
    m_note->setWordWrap(true);
    m_note->setAlignment(Qt::AlignHCenter | Qt::AlignTop);
    m_note->setForegroundRole(QPalette::PlaceholderText);
    m_note->hide();

    auto* top = new QHBoxLayout;
    top->addWidget(m_query, 1);
    top->addWidget(close);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 0, 0);
    layout->addLayout(top);
    layout->addWidget(m_note);
    layout->addWidget(m_results, 1);

    m_delay.setSingleShot(true);
    m_delay.setInterval(SearchDelayMs);
    connect(&m_delay, &QTimer::timeout, this, &MessageSearch::search);
    connect(m_query, &QLineEdit::textChanged, this, [this] { m_delay.start(); });
    connect(m_query, &QLineEdit::returnPressed, this, [this] {
        search();
        open(m_results->currentItem() ? m_results->currentItem() : m_results->item(0));
    });
    connect(m_results, &QListWidget::itemClicked, this, &MessageSearch::open);
    connect(m_results, &QListWidget::itemActivated, this, &MessageSearch::open);
    connect(m_results->verticalScrollBar(), &QScrollBar::valueChanged, this, [this](int value) {
        if (value >= m_results->verticalScrollBar()->maximum() - m_results->viewport()->height() / 2)
            loadMore();
    });
}

void MessageSearch::start()
{
    m_query->setFocus();
    m_query->selectAll();
}

void MessageSearch::search()
{
    m_delay.stop();
    const QString query = m_query->text().trimmed();
    if (query == m_searched)
        return;
    m_searched = query;
    m_results->clear();
    m_next = 0;
    m_note->hide();
    if (query.isEmpty() || !m_history)
        return;
    loadMore();
    if (m_results->count() == 0) {
        m_note->setText(m_history->error().isEmpty() ? tr("No message contains \u201c%1\u201d.").arg(query)
                                                     : m_history->error());
        m_note->show();
    } else {
        m_results->setCurrentRow(0);
    }
}

void MessageSearch::loadMore()
{
    if (m_searched.isEmpty() || (m_results->count() > 0 && m_next == 0))
        return;
    const SearchPage page = m_history->search(m_searched, {}, m_next);
    m_next = page.next;
    for (const SearchHit& hit : page.hits) {
        auto* item = new QListWidgetItem(m_results);
        item->setData(PeerRole, hit.message.peer);
        item->setData(IdRole, hit.message.id);
        const QString from = who(hit.message);
        item->setData(HtmlRole, resultHtml(hit, from, palette()));
        // What a screen reader says: the plain text.
        item->setData(Qt::AccessibleTextRole, QString(from + u": " + hit.message.text.left(ExcerptWidth)));
    }
}

QString MessageSearch::who(const Message& m) const
{
    if (m.direction == Direction::Outgoing)
        return tr("me to %1").arg(m.peer);
    if (m_messenger && !m.isSystem && m.peer.startsWith(u'#') && m_messenger->groups().find(m.peer))
        return m.peer + QStringLiteral(" \u203a ") + m_messenger->memberName(m.peer, m.remote);
    return m.peer;
}

void MessageSearch::open(QListWidgetItem* item)
{
    if (item)
        Q_EMIT openRequested(item->data(PeerRole).toString(), item->data(IdRole).toLongLong());
}

bool MessageSearch::eventFilter(QObject* watched, QEvent* event)
{
    if (event->type() == QEvent::KeyPress) {
        const auto* key = static_cast<QKeyEvent*>(event);
        if (key->key() == Qt::Key_Escape) {
            Q_EMIT closeRequested();
            return true;
        }
        // From the query box, the arrow keys walk the results.
        if (watched == m_query && (key->key() == Qt::Key_Down || key->key() == Qt::Key_Up) && m_results->count() > 0) {
            const int row =
                std::clamp(m_results->currentRow() + (key->key() == Qt::Key_Down ? 1 : -1), 0, m_results->count() - 1);
            m_results->setCurrentRow(row);
            return true;
        }
    }
    return QWidget::eventFilter(watched, event);
}
