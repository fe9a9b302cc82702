#pragma once

#include "filebubble.h"

#include <QCache>
#include <QHash>
#include <QStyledItemDelegate>
#include <QTextLayout>

#include <memory>

// Paints a conversation as chat bubbles: mine on the right in the accent color, the contact's on the left in its
// own color (in a group, each member's in its own, with its name above the text), system lines small and centered, a
// date separator where the day changes, the time (and for mine the delivery state) under each bubble. Wrapped text
// layouts are cached per message, so scrolling a long thread lays out only what comes into view for the first time.
// Double-clicking a bubble opens its text in a read-only editor for selecting part of it.
class BubbleDelegate final : public QStyledItemDelegate {
    Q_OBJECT
public:
    explicit BubbleDelegate(QObject* parent = nullptr);

    // Whose conversation is shown: picks the color of the left bubbles.
    void setPeer(const QString& peer);
    // The width rows are laid out for (the viewport's); a change drops the cached layouts. True when row heights
    // may have changed, so the view must lay its rows out again.
    bool setWidth(int width);
    // A message's row changed height (its date separator came or went).
    void forget(qint64 id);
    // A message's text changed (a sealed message opened): its layout and sizes are measured again.
    void forgetText(qint64 id);

    void paint(QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const override;
    // A row's size: exact, or after a width change the one it had before, as an estimate until measureRow().
    QSize sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const override;
    // Makes a row's height exact at the current width; true when it changed (the view must lay out again).
    bool measureRow(const QStyleOptionViewItem& option, const QModelIndex& index) const;
    // Measures a row again although its height is known (a file bubble's state changed); true when it changed.
    bool remeasure(const QStyleOptionViewItem& option, const QModelIndex& index) const;
    QWidget* createEditor(QWidget* parent, const QStyleOptionViewItem& option, const QModelIndex& index) const override;
    void setEditorData(QWidget* editor, const QModelIndex& index) const override;
    void setModelData(QWidget* editor, QAbstractItemModel* model, const QModelIndex& index) const override;
    void updateEditorGeometry(QWidget* editor, const QStyleOptionViewItem& option,
                              const QModelIndex& index) const override;

    // The link under `pos` (view coordinates), if any.
    QString linkAt(const QStyleOptionViewItem& option, const QModelIndex& index, const QPoint& pos) const;
    // Whether `pos` is on the Retry of a failed message.
    bool isRetryAt(const QStyleOptionViewItem& option, const QModelIndex& index, const QPoint& pos) const;
    // A file bubble's action under `pos` (view coordinates), and where an action is (empty: the row has none such;
    // Action::View is the thumbnail).
    FileBubble::Action fileActionAt(const QStyleOptionViewItem& option, const QModelIndex& index,
                                    const QPoint& pos) const;
    QRect fileActionRect(const QStyleOptionViewItem& option, const QModelIndex& index, FileBubble::Action action) const;
    // The bubble of the row at option.rect (view coordinates).
    QRect paintedBubble(const QStyleOptionViewItem& option, const QModelIndex& index) const;
    // The union of everything paint() draws for the row at option.rect.
    QRect paintedRect(const QStyleOptionViewItem& option, const QModelIndex& index) const;

    static QString stateText(int state);
    static QString dayText(const QDate& day);
    // "12:34", and for my messages "12:34 · Delivered ✓" (in a group "12:34 · Delivered to 3 of 4").
    static QString metaText(const QModelIndex& index);

private:
    struct Block {
        QTextLayout layout;
        QSizeF size;
        QList<QTextLayout::FormatRange> links;
        QStringList urls;
    };
    struct Geometry {
        QRect separator; // empty: no date separator
        QRect avatar;
        QRect sender; // a group member's name above the text; empty elsewhere
        QRect bubble;
        QRect text;
        QRect meta;
        QRect retry; // empty unless failed
        int height = 0;
    };

    // Where everything of a row goes; without the meta line's text (all a height needs) it is cheaper.
    Geometry geometry(const QStyleOptionViewItem& option, const QModelIndex& index, bool withMeta = true) const;
    void useFont(const QFont& font) const;
    void paintFocus(QPainter* painter, const QStyleOptionViewItem& option, const QRect& rect) const;
    Block* block(const QModelIndex& index, const QFont& font) const;
    QSize textSize(const QModelIndex& index, const QFont& font) const;
    int maxTextWidth() const;
    // A file row's content layout, and its picture's thumbnail (null: none, or not shown; picture.h).
    FileBubble::Layout fileLayout(const Transfers::Info& info, const QFont& font) const;
    QImage thumbnail(const Transfers::Info& info) const;

    QString m_peer;
    int m_width = 400;
    int m_textWidth = 0;  // maxTextWidth() the cached text sizes were measured at
    int m_generation = 0; // counts text width changes
    mutable QCache<qint64, Block> m_blocks;
    mutable QHash<qint64, QSize> m_textSizes; // at m_width
    struct Height {
        int height = 0;
        int generation = 0; // exact when it is m_generation, else an estimate from an earlier text width
    };
    mutable QHash<qint64, Height> m_heights;      // whole rows
    mutable QHash<qint64, QSize> m_oneLine;       // texts known to fit on one line: their size there; any width
    mutable QCache<QString, QImage> m_thumbnails; // by path; cost in KiB
    mutable QFont m_font;
    mutable int m_lineHeight = 0;
    mutable int m_smallHeight = -1;
};
