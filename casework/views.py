from django.http import HttpResponse


def home(request):
    return HttpResponse("")


def case_list(request):
    return HttpResponse("")


def case_detail(request, case_id):
    return HttpResponse("")
