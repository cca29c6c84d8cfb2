from rest_framework import serializers


class MemberSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="ISO 3166-1 alpha-2")
    iso3 = serializers.CharField()
    name = serializers.CharField()
    name_fr = serializers.CharField()
    accession_year = serializers.IntegerField()
