from django.urls import path

from finance.api import views

urlpatterns = [
    path("balance/", views.BalanceView.as_view(), name="api-balance"),
    path("ledger/", views.LedgerListView.as_view(), name="api-ledger"),
    path("bank-accounts/", views.BankAccountListView.as_view(), name="api-bank-account-list"),
    path("bank-accounts/<int:pk>/", views.BankAccountDetailView.as_view(), name="api-bank-account-detail"),
    path("bank-accounts/<int:pk>/set-default/", views.BankAccountSetDefaultView.as_view(),
         name="api-bank-account-set-default"),
    path("withdrawals/", views.WithdrawalListView.as_view(), name="api-withdrawal-list"),
    path("withdrawals/<int:pk>/", views.WithdrawalDetailView.as_view(), name="api-withdrawal-detail"),
    path("withdrawals/<int:pk>/cancel/", views.WithdrawalCancelView.as_view(), name="api-withdrawal-cancel"),
]
