#pragma once

#include <QSortFilterProxyModel>
#include <QStyledItemDelegate>

// Narrows the conversation list to names and addresses that contain the filter text.
class ConversationFilter final : public QSortFilterProxyModel {
    Q_OBJECT
public:
    using QSortFilterProxyModel::QSortFilterProxyModel;
    void setText(const QString& text);

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const override;

private:
    QString m_text;
};

// Paints one conversation: avatar with a presence dot, name, address, last message, its time and the unread badge.
class ConversationDelegate final : public QStyledItemDelegate {
    Q_OBJECT
public:
    using QStyledItemDelegate::QStyledItemDelegate;
    void paint(QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const override;
    QSize sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const override;

    // "12:34" today, "Yesterday", the weekday this week, else the date.
    static QString shortTime(const QDateTime& time);
};
