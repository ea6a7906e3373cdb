// "Two days' pay" (两天工资): a suggestion only — monthly income ÷ 22 × 2, or ÷ 30 × 2 for
// retirees. It fills the amount field when the donor asks; the platform sets no quota.
(function () {
  var income = document.getElementById('income');
  var retired = document.getElementById('retired');
  var out = document.getElementById('suggestion');
  var amount = document.getElementById('amount');
  if (!income || !out) return;
  function suggest() {
    var monthly = parseFloat(String(income.value).replace(/[,，\s]/g, ''));
    if (!(monthly > 0)) { out.textContent = ''; return; }
    var days = retired && retired.checked ? 30 : 22;
    var fen = Math.round(monthly * 100 / days * 2);
    var yuan = (fen / 100).toFixed(2);
    out.textContent = '参考金额：' + yuan + ' 元（仅供参考，自愿捐赠）';
    if (amount && !amount.dataset.touched) amount.value = yuan;
  }
  // An amount already there (the form came back after an error) is the donor's own.
  if (amount && amount.value) amount.dataset.touched = '1';
  if (amount) amount.addEventListener('input', function () { amount.dataset.touched = '1'; });
  income.addEventListener('input', suggest);
  if (retired) retired.addEventListener('change', suggest);
})();
