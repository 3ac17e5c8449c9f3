from django.contrib import admin

from accord.transactions.models import Product, Transaction, TransactionLine


class LineInline(admin.TabularInline):
    model = TransactionLine
    extra = 0
    raw_id_fields = ("product",)


@admin.register(Transaction)
class TransactionAdmin(admin.ModelAdmin):
    list_display = ("occurred_at", "customer", "kind", "amount", "currency", "source")
    list_filter = ("kind", "currency")
    search_fields = ("external_id",)
    raw_id_fields = ("customer",)
    readonly_fields = ("created_at", "created_by")
    inlines = [LineInline]
    show_full_result_count = False


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ("sku", "name", "category")
    search_fields = ("sku", "name")
