// The shop page's follow button: follows or unfollows through the API and shows the new count.
import { api, enableScriptControls, problemText } from './mall.js';

const root = document.getElementById('merchant-shop');
const button = document.getElementById('shop-follow');
const status = document.getElementById('shop-follow-status');

if (button) {
  enableScriptControls(root);
  button.addEventListener('click', async () => {
    const followed = button.dataset.followed === '1';
    button.disabled = true;
    try {
      const shop = await api(followed ? 'DELETE' : 'PUT', `/me/followed-merchants/${root.dataset.merchantId}`);
      button.dataset.followed = shop.followedByMe ? '1' : '0';
      button.textContent = shop.followedByMe ? root.dataset.unfollow : root.dataset.follow;
      document.getElementById('shop-followers').textContent = root.dataset.followers.replace('{n}', String(shop.followerCount));
      status.textContent = '';
    } catch (problem) {
      status.textContent = problemText(problem, root.dataset.failed);
    } finally {
      button.disabled = false;
    }
  });
}
